<?php
// SPDX-License-Identifier: MIT
declare(strict_types=1);

namespace SocketIO;

use FFI;

/**
 * PHP values to the C library's form: JSON text for the arguments, plus a sioe_buffers
 * list holding every Binary, referenced from the JSON as {"$bin": index}.
 * Lists become arrays, other arrays and objects become maps (public properties;
 * JsonSerializable is honoured), floats stay floats, strings must be UTF-8. A
 * DateTimeInterface becomes the text a JavaScript Date is sent as, its Date.toJSON()
 * (ISO 8601 in UTC with milliseconds: "2023-11-14T22:13:20.123Z"), which is what Socket.IO
 * clients receive for a Date.
 */
final class Args
{
    /** The core's nesting limit for one argument (socketio_emitter::encode::MAX_DEPTH). */
    private const MAX_DEPTH = 512;

    /** @var list<string> */
    private array $buffers = [];

    /** @return array{string, list<string>} */
    public static function encode(array $args): array
    {
        $args = array_is_list($args) ? $args : array_values($args);
        if (self::plain($args, -1)) {
            // Only scalars and arrays: json_encode gives what walk() would, without the copy.
            return [self::json($args), []];
        }
        $self = new self();
        $walked = [];
        foreach ($args as $i => $arg) {
            $walked[] = $self->walk($arg, "args[$i]", 0);
        }
        return [self::json($walked), $self->buffers];
    }

    private static function json(array $values): string
    {
        try {
            return json_encode($values, JSON_THROW_ON_ERROR | JSON_PRESERVE_ZERO_FRACTION
                | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES, self::MAX_DEPTH + 2);
        } catch (\JsonException $e) {
            $code = $e->getCode() === JSON_ERROR_UTF8 ? 'INVALID_UTF8' : 'ENCODE';
            throw new EmitterException($code, -1, 'cannot encode the arguments: ' . $e->getMessage());
        }
    }

    /**
     * Whether the items of $list (itself at nesting $depth) are only scalars, nulls and
     * arrays of them, with no object to convert and nothing walk() would refuse.
     */
    private static function plain(array $list, int $depth): bool
    {
        if ($depth + 1 >= self::MAX_DEPTH) {
            return false; // near the limit: walk() decides
        }
        foreach ($list as $item) {
            if (is_array($item)) {
                if (!self::plain($item, $depth + 1)) {
                    return false;
                }
            } elseif (is_object($item) || is_resource($item)) {
                return false;
            }
        }
        return true;
    }

    private function walk(mixed $v, string $path, int $depth): mixed
    {
        if ($depth > self::MAX_DEPTH) {
            throw new EmitterException('ENCODE', -1, "$path: nested deeper than " . self::MAX_DEPTH . ' levels (a cycle?)');
        }
        if ($v instanceof Binary) {
            $this->buffers[] = $v->bytes;
            return ['$bin' => count($this->buffers) - 1];
        }
        if ($v instanceof \DateTimeInterface) {
            return self::isoDate($v);
        }
        if ($v instanceof \JsonSerializable) {
            return $this->walk($v->jsonSerialize(), $path, $depth + 1);
        }
        if (is_object($v)) {
            $out = new \stdClass();
            foreach (get_object_vars($v) as $k => $item) {
                $out->$k = $this->walk($item, "{$path}['$k']", $depth + 1);
            }
            return $out;
        }
        if (is_array($v)) {
            $out = [];
            foreach ($v as $k => $item) {
                $out[$k] = $this->walk($item, "{$path}['$k']", $depth + 1);
            }
            return array_is_list($v) ? $out : (object) $out;
        }
        if (is_resource($v)) {
            throw new EmitterException('ENCODE', -1, "$path: a resource cannot be sent");
        }
        return $v;
    }

    /** Date.prototype.toJSON: six digits and a sign for years outside 0..9999, milliseconds. */
    private static function isoDate(\DateTimeInterface $d): string
    {
        $utc = \DateTimeImmutable::createFromInterface($d)->setTimezone(new \DateTimeZone('UTC'));
        $year = (int) $utc->format('Y');
        $y = $year >= 0 && $year <= 9999 ? sprintf('%04d', $year) : sprintf('%s%06d', $year < 0 ? '-' : '+', abs($year));
        return $y . $utc->format('-m-d\TH:i:s.v\Z');
    }

    /** A C sioe_buffers list holding $buffers; free it with sioe_buffers_free. */
    public static function buffers(FFI $ffi, array $buffers): ?FFI\CData
    {
        if ($buffers === []) {
            return null;
        }
        $list = $ffi->sioe_buffers_new();
        try {
            foreach ($buffers as $bytes) {
                Native::call(fn ($err) => $ffi->sioe_buffers_add($list, $bytes, strlen($bytes), null, $err));
            }
        } catch (\Throwable $e) {
            $ffi->sioe_buffers_free($list);
            throw $e;
        }
        return $list;
    }
}
