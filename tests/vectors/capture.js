#!/usr/bin/env node
// Captures golden vectors from the pinned official @socket.io/redis-emitter.
//
//   node tests/vectors/capture.js           rewrite tests/vectors/vectors.json
//   node tests/vectors/capture.js --check   exit 1 if vectors.json differs from a fresh capture
//
// Each case below is an input (emitter options, builder calls, the final call and its
// arguments in the tagged JSON encoding described in README.md). The script turns the
// tagged arguments into JS values, runs them through the official emitter with a fake
// Redis client that records every publish(channel, message) call, and writes the inputs
// together with the recorded publishes. The format is documented in README.md.
"use strict";

const fs = require("fs");
const path = require("path");

const HERE = __dirname;
const OUT_FILE = path.join(HERE, "vectors.json");
const EMITTER_PKG = "@socket.io/redis-emitter";
const EMITTER_VERSION = "5.1.0";
const NOTEPACK_VERSION = "3.0.1";
const SOURCE = `${EMITTER_PKG}@${EMITTER_VERSION} (notepack.io@${NOTEPACK_VERSION})`;
const GENERATED_BY = "tests/vectors/capture.js";

// ---------------------------------------------------------------------------------------------
// Pinned packages: refuse to capture from anything but the exact versions.

function loadEmitter() {
  const emitterPkgJson = require.resolve(`${EMITTER_PKG}/package.json`, { paths: [HERE] });
  const emitterVersion = JSON.parse(fs.readFileSync(emitterPkgJson, "utf8")).version;
  if (emitterVersion !== EMITTER_VERSION) {
    fail(`${EMITTER_PKG} is ${emitterVersion}, expected ${EMITTER_VERSION} (run npm ci in tests/vectors)`);
  }
  // The notepack.io that the emitter itself loads, not merely the top-level one.
  const notepackPkgJson = require.resolve("notepack.io/package.json", {
    paths: [path.dirname(emitterPkgJson)],
  });
  const notepackVersion = JSON.parse(fs.readFileSync(notepackPkgJson, "utf8")).version;
  if (notepackVersion !== NOTEPACK_VERSION) {
    fail(`the emitter loads notepack.io ${notepackVersion}, expected ${NOTEPACK_VERSION}`);
  }
  return require(require.resolve(EMITTER_PKG, { paths: [HERE] })).Emitter;
}

function fail(message) {
  process.stderr.write(`capture.js: ${message}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Value helpers used by the case table (they only build tagged JSON).

const f = (v) => ({ $float: v });
const str = (s, n) => ({ $str: [s, n] });
const arr = (v, n) => ({ $array: [v, n] });
const mapRange = (n) => ({ $map_range: n });
const omap = (pairs) => ({ $map: pairs });
const date = (ms) => ({ $date: ms });
const UNDEF = { $undefined: true };
const FUNC = { $function: true };

// n bytes 00 01 02 ... ff 00 01 ... as lowercase hex
function seqHex(n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = i & 0xff;
  return b.toString("hex");
}
const bytes = (hex) => ({ $bytes: hex });

// ---------------------------------------------------------------------------------------------
// The cases.

const CASES = [];

function add(c) {
  CASES.push(c);
}

// emit("ev", ...args) on the default emitter
function emitArgs(name, about, args, more = {}) {
  add({ name, about, ops: [], call: "emit", args: ["ev", ...args], ...more });
}

// --- protocol 2.3 basic shape ---
emitArgs("emit_no_args", "protocol 2.3: [\"emitter\", {type:2, data:[ev], nsp:\"/\"}, {rooms:[], flags:{}, except:[]}] on P#N#", []);
emitArgs("emit_one_string_arg", "protocol 2.3: event name then arguments in packet.data", ["hello"]);
emitArgs("emit_several_args", "protocol 2.3: several arguments of mixed types keep their order", [1, "two", { three: 3 }, [4], true, null]);
add({ name: "event_name_empty", about: "protocol 7.1: an empty event name is fixstr a0", ops: [], call: "emit", args: [""] });
add({ name: "event_name_unicode", about: "protocol 7.1: event name length is counted in UTF-8 bytes", ops: [], call: "emit", args: ["événement-😀", 1] });
add({ name: "event_name_32_bytes", about: "protocol 7.1: a 32-byte event name is str8 d9 20", ops: [], call: "emit", args: [str("e", 32)] });
add({ name: "event_connection_not_reserved", about: "protocol 6.1: \"connection\" is not in the emit reserved list and is published", ops: [], call: "emit", args: ["connection", 1] });

// --- integers (protocol 7.1 numbers) ---
const INTS = [
  ["int_0", 0, "0 is positive fixint 00"],
  ["int_127", 127, "127 is the largest positive fixint 7f"],
  ["int_128", 128, "128 is uint8 cc 80"],
  ["int_255", 255, "255 is uint8 cc ff"],
  ["int_256", 256, "256 is uint16 cd 0100"],
  ["int_65535", 65535, "65535 is uint16 cd ffff"],
  ["int_65536", 65536, "65536 is uint32 ce 00010000"],
  ["int_2pow32_minus_1", 4294967295, "2^32-1 is uint32 ce ffffffff"],
  ["int_2pow32", 4294967296, "2^32 is uint64 cf 0000000100000000"],
  ["int_2pow53_minus_1", 9007199254740991, "2^53-1 is uint64 cf 001fffffffffffff"],
  ["int_neg_1", -1, "-1 is negative fixint ff"],
  ["int_neg_32", -32, "-32 is the smallest negative fixint e0"],
  ["int_neg_33", -33, "-33 is int8 d0 df"],
  ["int_neg_128", -128, "-128 is int8 d0 80"],
  ["int_neg_129", -129, "-129 is int16 d1 ff7f"],
  ["int_neg_32768", -32768, "-32768 is int16 d1 8000"],
  ["int_neg_32769", -32769, "-32769 is int32 d2 ffff7fff"],
  ["int_neg_2pow31", -2147483648, "-2^31 is int32 d2 80000000"],
  ["int_neg_2pow31_minus_1", -2147483649, "-2^31-1 is int64 d3 ffffffff7fffffff"],
  ["int_neg_2pow53_plus_1", -9007199254740991, "-(2^53-1) is int64 d3 ffe0000000000001"],
];
for (const [name, v, about] of INTS) emitArgs(name, `protocol 7.1: ${about}`, [v]);
emitArgs("int_positive_never_signed", "protocol 7.1: 100, 200, 40000, 3000000000 use unsigned forms only", [100, 200, 40000, 3000000000]);
emitArgs("int_in_map_and_array", "protocol 7.1: integer widths are the same nested in maps and arrays", [{ a: 128, b: -33, c: [65536, -129] }]);

// --- floats (protocol 7.1 numbers, trap 9.4) ---
emitArgs("float_1_5", "protocol 7.1: 1.5 is float64 cb 3ff8000000000000 (never float32)", [f(1.5)]);
emitArgs("float_0_1", "protocol 7.1: 0.1 is float64 cb 3fb999999999999a", [f(0.1)]);
emitArgs("float_neg_2_5", "protocol 7.1: -2.5 is float64 cb c004000000000000", [f(-2.5)]);
emitArgs("float_integral_1", "trap 9.4: the float 1.0 is written as the integer 01", [f(1)]);
emitArgs("float_integral_neg_3", "trap 9.4: the float -3.0 is written as the integer fd", [f(-3)]);
emitArgs("float_integral_2pow32", "trap 9.4: the float 4294967296.0 is written as uint64 cf 0000000100000000", [f(4294967296)]);
emitArgs("float_integral_255_and_neg_129", "trap 9.4: integral floats take the smallest integer form (cc ff, d1 ff7f)", [f(255), f(-129)]);
emitArgs("float_neg_zero", "trap 9.4: -0.0 is the integer 00", [f("-0")]);
emitArgs("float_nan", "protocol 7.1: NaN is float64 cb 7ff8000000000000", [f("NaN")]);
emitArgs("float_infinity", "protocol 7.1: +Infinity is float64 cb 7ff0000000000000", [f("Infinity")]);
emitArgs("float_neg_infinity", "protocol 7.1: -Infinity is float64 cb fff0000000000000", [f("-Infinity")]);
emitArgs("float_tiny_and_large", "protocol 7.1: 5e-324, 1e-7 and 123456.789 are float64", [f(5e-324), f(1e-7), f(123456.789)]);
emitArgs("float_integral_2pow53", "protocol 7.1: notepack writes the integral float 2^53 as uint64 cf 0020000000000000", [f(9007199254740992)]);
emitArgs("float_integral_1e19", "protocol 7.1: notepack writes the integral float 1e19 (< 2^64) as uint64 cf 8ac7230489e80000", [f(1e19)]);
emitArgs("float_integral_neg_2pow63", "protocol 7.1: notepack writes the integral float -2^63 as int64 d3 8000000000000000", [f(-9223372036854775808)]);

// --- strings (protocol 7.1 strings, trap 9.6) ---
emitArgs("str_empty", "protocol 7.1: the empty string is fixstr a0", [""]);
emitArgs("str_31_bytes", "trap 9.6: a 31-byte string is fixstr bf", [str("a", 31)]);
emitArgs("str_32_bytes", "trap 9.6: a 32-byte string is str8 d9 20", [str("a", 32)]);
emitArgs("str_255_bytes", "protocol 7.1: a 255-byte string is str8 d9 ff", [str("a", 255)]);
emitArgs("str_256_bytes", "protocol 7.1: a 256-byte string is str16 da 0100", [str("a", 256)]);
emitArgs("str_65535_bytes", "protocol 7.1: a 65535-byte string is str16 da ffff", [str("a", 65535)]);
emitArgs("str_65536_bytes", "protocol 7.1: a 65536-byte string is str32 db 00010000", [str("a", 65536)]);
emitArgs("str_e_acute", "protocol 7.1: \"é\" is a2 c3a9 (length in UTF-8 bytes)", ["é"]);
emitArgs("str_emoji", "protocol 7.1: an astral emoji is 4 UTF-8 bytes a4 f09f9880 (2 UTF-16 units in JS)", ["😀"]);
emitArgs("str_cjk", "protocol 7.1: CJK characters are 3 UTF-8 bytes each", ["中文字"]);
emitArgs("str_2byte_15_chars_30_bytes", "trap 9.6: 15 x \"é\" = 30 bytes, fixstr be", [str("é", 15)]);
emitArgs("str_2byte_16_chars_32_bytes", "trap 9.6: 16 x \"é\" = 16 chars but 32 bytes, so str8 d9 20", [str("é", 16)]);
emitArgs("str_mixed_31_bytes", "trap 9.6: 15 x \"é\" + \"a\" = 31 bytes, fixstr bf", ["éééééééééééééééa"]);
emitArgs("str_emoji_7_plus_abc_31_bytes", "trap 9.6: 7 emoji + \"abc\" = 31 bytes (17 UTF-16 units), fixstr bf", ["😀😀😀😀😀😀😀abc"]);
emitArgs("str_emoji_8_32_bytes", "trap 9.6: 8 emoji = 32 bytes, str8 d9 20", [str("😀", 8)]);
emitArgs("str_cjk_10_plus_a_31_bytes", "trap 9.6: 10 CJK + \"a\" = 31 bytes, fixstr bf", ["中中中中中中中中中中a"]);
emitArgs("str_cjk_11_33_bytes", "trap 9.6: 11 CJK = 33 bytes, str8 d9 21", [str("中", 11)]);
emitArgs("str_2byte_128_chars_256_bytes", "protocol 7.1: 128 x \"é\" = 256 bytes, str16 da 0100", [str("é", 128)]);
emitArgs("str_cjk_65538_bytes", "protocol 7.1: 21846 CJK = 65538 bytes (21846 chars), str32 db 00010002", [str("中", 21846)]);
emitArgs("str_control_chars", "protocol 7.1: msgpack strings carry NUL, control characters, DEL, U+2028 and quotes raw", ["a\u0000b\u0001\t\n\r\u001f\u007f\u2028\u2029\"\\/"]);

// --- booleans, null ---
emitArgs("bool_and_null", "protocol 7.1: true c3, false c2, null c0", [true, false, null]);
emitArgs("null_in_map_and_array", "protocol 7.1: null is kept as c0 inside maps and arrays", [{ n: null }, [null, null]]);

// --- arrays ---
emitArgs("array_empty", "protocol 7.1: an empty array is fixarray 90", [[]]);
emitArgs("array_15", "protocol 7.1: 15 elements is fixarray 9f", [arr(1, 15)]);
emitArgs("array_16", "protocol 7.1: 16 elements is array16 dc 0010", [arr(1, 16)]);
emitArgs("array_65535", "protocol 7.1: 65535 elements is array16 dc ffff", [arr(1, 65535)]);
emitArgs("array_65536", "protocol 7.1: 65536 elements is array32 dd 00010000", [arr(1, 65536)]);
emitArgs("array_nested", "protocol 7.1: nested arrays", [[1, [2, [3, [[], "x"]]]]]);
emitArgs("array_of_16_maps", "protocol 7.1: array16 of maps", [arr({ k: "v" }, 16)]);

// --- maps ---
emitArgs("map_empty", "protocol 7.1: an empty map is fixmap 80", [{}]);
emitArgs("map_15", "protocol 7.1: 15 keys is fixmap 8f", [mapRange(15)]);
emitArgs("map_16", "protocol 7.1: 16 keys is map16 de 0010", [mapRange(16)]);
emitArgs("map_65535", "protocol 7.1: 65535 keys is map16 de ffff", [mapRange(65535)]);
emitArgs("map_65536", "protocol 7.1: 65536 keys is map32 df 00010000", [mapRange(65536)]);
emitArgs("map_nested", "protocol 7.1: nested maps and arrays in maps", [{ a: { b: { c: {} } }, list: [{ x: 1 }, { y: [2, 3] }], s: "t" }]);
emitArgs("map_insertion_order", "trap 9.5: non-index keys keep insertion order (zebra, apple, mango)", [omap([["zebra", 1], ["apple", 2], ["mango", 3]])]);
emitArgs("map_integer_keys_first", "trap 9.5 / protocol 7.1: {b:1, a:2, \"1\":3, z:{}} is 84 a131 03 a162 01 a161 02 a17a 80", [omap([["b", 1], ["a", 2], ["1", 3], ["z", {}]])]);
emitArgs("map_integer_like_keys", "trap 9.5: index keys (\"0\",\"2\",\"10\",\"4294967294\") first ascending; \"-1\",\"01\",\"4294967295\",\"1.5\",\" 1\" stay in insertion order",
  [omap([["10", "a"], ["b", "b"], ["2", "c"], ["-1", "d"], ["01", "e"], ["4294967295", "f"], ["4294967294", "g"], ["1.5", "h"], [" 1", "i"], ["0", "j"]])]);
emitArgs("map_integer_keys_nested", "trap 9.5: integer-key reordering also applies to maps nested in arrays and maps",
  [[omap([["y", 1], ["3", 2], ["1", 3]])], omap([["outer", omap([["b", 0], ["20", 1], ["3", 2]])], ["7", null]])]);
emitArgs("map_dollar_key", "tagged format: a map key starting with $ is written with the $map tag", [omap([["$bytes", "not binary"], ["plain", 1]])]);
emitArgs("map_empty_string_key", "protocol 7.1: the empty key is fixstr a0", [omap([["", 1]])]);
emitArgs("map_unicode_keys", "protocol 7.1: map keys are strings sized in UTF-8 bytes; a 32-byte key is str8 d9 20", [omap([["é", 1], ["😀", 2], ["k".repeat(32), 3]])]);

// --- binary (protocol 2.4, 7.1 Buffer) ---
emitArgs("bin_empty", "protocol 7.1: an empty Buffer is bin8 c4 00", [bytes("")]);
emitArgs("bin_1", "protocol 7.1: a 1-byte Buffer is c4 01 ..", [bytes("ff")]);
emitArgs("bin_255", "protocol 7.1: 255 bytes is bin8 c4 ff", [bytes(seqHex(255))]);
emitArgs("bin_256", "protocol 7.1: 256 bytes is bin16 c5 0100", [bytes(seqHex(256))]);
emitArgs("bin_65535", "protocol 7.1: 65535 bytes is bin16 c5 ffff", [bytes(seqHex(65535))]);
emitArgs("bin_65536", "protocol 7.1: 65536 bytes is bin32 c6 00010000", [bytes(seqHex(65536))]);
emitArgs("bin_in_map", "protocol 2.4 / 7.1: binary nested in a map stays bin, packet type stays 2", [{ file: bytes("010203"), name: "a.bin" }]);
emitArgs("bin_in_array", "protocol 2.4 / 7.1: binary nested in an array stays bin", [[bytes("00"), "x", bytes("fffe")]]);
emitArgs("bin_several_args", "protocol 2.4: several binary arguments, type still 2, no attachments key", [bytes("01"), { a: 1 }, bytes("0203"), bytes("")]);
emitArgs("bin_deep", "protocol 7.1: binary deep inside maps and arrays", [{ a: [{ b: { c: [bytes("deadbeef")] } }] }]);

// --- dates (protocol 7.1 Date, trap 9.13) ---
emitArgs("date_epoch", "protocol 7.1: Date(0) is timestamp32 d6 ff 00000000", [date(0)]);
emitArgs("date_whole_seconds", "protocol 7.1: Date(1700000000000) is timestamp32 d6ff 6553f100", [date(1700000000000)]);
emitArgs("date_with_ms", "protocol 7.1: Date(1700000000123) is timestamp64 d7ff 1d535300 6553f100", [date(1700000000123)]);
emitArgs("date_max_timestamp32", "protocol 7.1: seconds = 2^32-1 with ms = 0 is still timestamp32 d6 ff ffffffff", [date(4294967295000)]);
emitArgs("date_seconds_beyond_32_bits", "protocol 7.1: seconds = 2^32 with ms = 0 needs timestamp64 d7 ff", [date(4294967296000)]);
emitArgs("date_seconds_beyond_32_bits_with_ms", "protocol 7.1: seconds > 2^32 with ms != 0 is timestamp64 (seconds high bits in byte 4)", [date(7258118400456)]);
emitArgs("date_max_timestamp64", "protocol 7.1: seconds = 2^34-1 and 999 ms is the last timestamp64", [date(17179869183999)]);
emitArgs("date_seconds_2pow34", "protocol 7.1: seconds = 2^34 is timestamp96 c7 0c ff", [date(17179869184000)]);
emitArgs("date_before_1970_ms", "protocol 7.1: Date(-1) is timestamp96 with nanoseconds 999000000 and seconds -1", [date(-1)]);
emitArgs("date_before_1970_whole_seconds", "protocol 7.1: Date(-86400000) is timestamp96 with nanoseconds 0 and seconds -86400", [date(-86400000)]);
emitArgs("date_max", "protocol 7.1: the largest JS Date (8.64e15 ms) is timestamp96", [date(8640000000000000)]);
emitArgs("date_min", "protocol 7.1: the smallest JS Date (-8.64e15 ms) is timestamp96", [date(-8640000000000000)]);
emitArgs("date_in_map", "protocol 7.1: dates nested in maps and arrays", [{ at: date(1700000000123), list: [date(0)] }]);

// --- targets (protocol 2.1, 2.3, 6.3; traps 9.2, 9.12) ---
function target(name, about, ops, more = {}) {
  add({ name, about, ops, call: "emit", args: ["ev", 1], ...more });
}
target("target_none", "trap 9.2: no room, the base channel socket.io#/#", []);
target("target_one_room", "trap 9.2: exactly one room uses the room channel socket.io#/#room1#", [["to", "room1"]]);
target("target_one_room_array", "trap 9.2: to([\"room1\"]) is one room, room channel", [["to", ["room1"]]]);
target("target_two_rooms", "trap 9.2: two rooms use the base channel, rooms in insertion order", [["to", ["room1", "room2"]]]);
target("target_two_rooms_chained", "protocol 6.3: to(a).to(b) accumulates rooms", [["to", "room1"], ["to", "room2"]]);
target("target_rooms_insertion_order", "protocol 6.3: rooms keep insertion order, not sorted", [["to", ["zeta", "alpha", "mid"]]]);
target("target_duplicate_rooms_dedupe_to_one", "protocol 6.3: duplicate rooms are deduped; one room left, so the room channel", [["to", ["room1", "room1"]], ["in", "room1"]]);
target("target_duplicate_rooms_dedupe", "protocol 6.3: duplicates are deduped, first position kept", [["to", ["a", "b", "a"]], ["to", ["c", "b"]]]);
target("target_to_and_in", "protocol 6.3: in() is the same as to()", [["to", "a"], ["in", "b"]]);
target("target_in_only", "protocol 6.3: in(room) alone gives the room channel", [["in", "room1"]]);
target("target_except_only", "trap 9.2: only except uses the base channel", [["except", "r4"]]);
target("target_except_array", "protocol 2.3: except takes an array, deduped", [["except", ["r4", "r5", "r4"]]]);
target("target_to_and_except", "trap 9.2: one room plus except still uses the room channel", [["to", "room1"], ["except", "room2"]]);
target("target_two_rooms_and_except", "protocol 2.3: opts {rooms, flags, except} with both lists", [["to", ["r1", "r2"]], ["except", ["r3", "r4"]]]);
target("target_except_before_to", "protocol 2.3: except then to gives the same opts order rooms, flags, except", [["except", "x"], ["to", "y"]]);
target("target_same_room_to_and_except", "protocol 2.3: a room may be both in rooms and except", [["to", "a"], ["except", "a"]]);
target("target_numeric_room", "protocol 6.3: numeric room 7 travels as integer 07, channel socket.io#/#7#", [["to", 7]]);
target("target_numeric_and_string_room", "trap 9.12: 7 and \"7\" are distinct rooms (no dedupe), base channel", [["to", 7], ["to", "7"]]);
target("target_numeric_room_zero", "protocol 2.1: room 0 gives channel socket.io#/#0#", [["to", 0]]);
target("target_numeric_room_large", "protocol 6.3: room 4294967296 is uint64 in opts, decimal in the channel", [["to", 4294967296]]);
target("target_numeric_except", "protocol 6.3: numeric except room", [["except", [7, "7"]]]);
target("target_unicode_room", "protocol 2.1: a unicode room appears raw (UTF-8) in the channel", [["to", "salle-é-中-😀"]]);
target("target_room_with_hash", "protocol 2.1: a room containing # is appended as is", [["to", "a#b"]]);
target("target_empty_string_room", "protocol 2.1: the empty room gives channel socket.io#/##", [["to", ""]]);
target("target_empty_array", "protocol 6.3: to([]) adds nothing, base channel", [["to", []]]);

// --- flags (protocol 2.5, trap 9.17) ---
target("flags_volatile", "protocol 2.5: volatile sets {volatile:true}", [["volatile"]]);
target("flags_compress_false", "protocol 2.5: compress(false) sets {compress:false}", [["compress", false]]);
target("flags_compress_true", "protocol 2.5: compress(true) sets {compress:true}", [["compress", true]]);
target("flags_volatile_then_compress_false", "protocol 2.5: volatile then compress(false) is {volatile:true, compress:false}", [["volatile"], ["compress", false]]);
target("flags_compress_false_then_volatile", "protocol 2.5: compress(false) then volatile is {compress:false, volatile:true}", [["compress", false], ["volatile"]]);
target("flags_compress_true_then_volatile", "protocol 2.5: compress(true) then volatile is {compress:true, volatile:true}", [["compress", true], ["volatile"]]);
target("flags_compress_twice", "protocol 2.5: compress(false) then compress(true) keeps one key, last value", [["compress", false], ["compress", true]]);
target("flags_volatile_twice", "protocol 2.5: volatile twice is one key", [["volatile"], ["volatile"]]);
target("flags_reset_keeps_first_position", "protocol 2.5: volatile, compress(true), volatile, compress(false) is {volatile:true, compress:false}", [["volatile"], ["compress", true], ["volatile"], ["compress", false]]);
target("flags_with_rooms_and_except", "protocol 2.3: flags mixed with to/except in any order", [["compress", false], ["to", "r1"], ["volatile"], ["except", "r2"]]);

// --- prefixes (protocol 2.1) ---
target("key_custom", "protocol 2.1: custom key gives myapp#/#", [], { key: "myapp" });
target("key_custom_one_room", "protocol 2.1: custom key with one room gives myapp#/#room1#", [["to", "room1"]], { key: "myapp" });
target("key_special_chars", "protocol 6.2: a key with glob and other special characters is used verbatim", [["to", "r"]], { key: "my:app*{x}?[a]#\\" });
target("key_empty", "protocol 2.1: an empty key gives #/#", [], { key: "" });
target("key_unicode", "protocol 2.1: a unicode key appears raw in the channel", [], { key: "préfixe-😀" });

// --- namespaces (protocol 6.2) ---
target("nsp_constructor_admin", "protocol 6.2: constructor nsp \"/admin\" gives socket.io#/admin# and packet nsp \"/admin\"", [], { nsp: "/admin" });
target("nsp_constructor_without_slash", "protocol 6.2: constructor nsp \"admin\" is used as is (socket.io#admin#)", [], { nsp: "admin" });
target("nsp_of_admin", "protocol 6.2: of(\"admin\") prepends / (socket.io#/admin#)", [["of", "admin"]]);
target("nsp_of_slash_admin", "protocol 6.2: of(\"/admin\") is used as is", [["of", "/admin"]]);
target("nsp_of_empty", "protocol 6.2: of(\"\") gives \"/\"", [["of", ""]]);
target("nsp_of_twice", "protocol 6.2: of() replaces the namespace, it does not nest", [["of", "a"], ["of", "b"]]);
target("nsp_of_from_constructor_nsp", "protocol 6.2: of() on an emitter built with another nsp replaces it", [["of", "chat"]], { nsp: "/admin" });
target("nsp_of_with_room", "protocol 2.1: namespace and one room socket.io#/admin#room1#", [["of", "admin"], ["to", "room1"]]);
target("nsp_of_with_numeric_room", "protocol 2.1: socket.io#/admin#42#", [["of", "/admin"], ["to", 42]]);
target("nsp_unicode", "protocol 6.2: a unicode namespace appears raw in channel and packet", [["of", "café-中"]]);
target("nsp_and_key", "protocol 2.1: custom key, namespace, room and flags together", [["of", "admin"], ["to", "r1"], ["volatile"]], { key: "myapp" });

// --- requests (protocol 2.6) ---
function req(name, about, ops, call, args, more = {}) {
  add({ name, about, ops, call, args, ...more });
}
req("sockets_join_single", "protocol 2.6: socketsJoin is JSON {type:2, opts:{rooms,except}, rooms} on P-request#N#, no uid", [], "socketsJoin", ["r1"]);
req("sockets_join_array", "protocol 2.6: socketsJoin with an array of rooms", [], "socketsJoin", [["r1", "r2"]]);
req("sockets_join_numeric", "protocol 2.6 / 6.3: a numeric room is a JSON number", [], "socketsJoin", [7]);
req("sockets_join_empty_array", "protocol 2.6: socketsJoin([]) still publishes rooms:[]", [], "socketsJoin", [[]]);
req("sockets_join_duplicates_kept", "protocol 2.6: the joined rooms array is not deduped", [], "socketsJoin", [["r1", "r1"]]);
req("sockets_join_with_to_and_except", "protocol 2.6: opts.rooms / opts.except come from to/except; one room does not change the channel", [["to", "a"], ["except", ["b", "c"]]], "socketsJoin", ["r1"]);
req("sockets_join_flags_ignored", "protocol 2.6: volatile/compress are not part of requests", [["volatile"], ["compress", false], ["in", "a"]], "socketsJoin", ["r1"]);
req("sockets_join_nsp_key", "protocol 2.1: request channel myapp-request#/admin#", [["of", "admin"]], "socketsJoin", ["r1"], { key: "myapp" });
req("sockets_join_unicode", "protocol 7.3: non-ASCII room names are raw UTF-8 in JSON", [["to", "é"]], "socketsJoin", ["中-😀"]);
req("sockets_leave_single", "protocol 2.6: socketsLeave is {type:3, opts, rooms}", [], "socketsLeave", ["r1"]);
req("sockets_leave_array_with_to", "protocol 2.6: socketsLeave with targets", [["to", ["a", 7]], ["except", "b"]], "socketsLeave", [["r1", 2]]);
req("sockets_leave_constructor_nsp", "protocol 6.2: constructor nsp used as is in the request channel", [], "socketsLeave", ["r1"], { nsp: "admin" });
req("disconnect_sockets_default", "protocol 2.6: disconnectSockets() is {type:4, opts, close:false}", [], "disconnectSockets", []);
req("disconnect_sockets_false", "protocol 2.6: disconnectSockets(false)", [], "disconnectSockets", [false]);
req("disconnect_sockets_true", "protocol 2.6: disconnectSockets(true) has close:true", [], "disconnectSockets", [true]);
req("disconnect_sockets_targeted", "protocol 2.6: disconnectSockets with to/except", [["in", "room1"], ["except", "vip"]], "disconnectSockets", [true]);
req("disconnect_sockets_nsp_key", "protocol 2.1: disconnectSockets on myapp-request#/admin#", [["of", "/admin"], ["to", ["a", "b"]]], "disconnectSockets", [], { key: "myapp" });

// serverSideEmit (protocol 2.6 type 6, JSON rules of 7.3; trap 9.22)
function sse(name, about, args, more = {}) {
  add({ name, about, ops: [], call: "serverSideEmit", args, ...more });
}
sse("server_side_emit_event_only", "protocol 2.6: serverSideEmit is {\"uid\":\"emitter\",\"type\":6,\"data\":[ev]}", ["ping"]);
sse("server_side_emit_several_args", "trap 9.22: data holds the event name then every argument", ["hello", 1, "two", { three: [3] }, true, null]);
sse("server_side_emit_binary", "protocol 7.3: a Buffer becomes {\"type\":\"Buffer\",\"data\":[...]}", ["bin", bytes("0102ff"), { nested: bytes("") }]);
sse("server_side_emit_dates", "protocol 7.3: dates become ISO strings, including before 1970 and 6-digit years",
  ["dates", date(1700000000123), date(0), date(-1), date(8640000000000000), date(-8640000000000000), date(253402300800000)]);
sse("server_side_emit_non_finite", "protocol 7.3: NaN, Infinity and -Infinity become null", ["nf", f("NaN"), f("Infinity"), f("-Infinity"), { n: f("NaN") }]);
sse("server_side_emit_numbers", "protocol 7.3: 1e21 is 1e+21, 1e-7 stays, 0.1, -0 is 0, integral floats have no decimal point",
  ["num", f(1e21), f(1e-7), f(0.1), f("-0"), f(1), f(-3), f(1.5), f(1e20), f(123e-20), f(5e-324), f(1.7976931348623157e308), f(0.000001), 9007199254740991, -9007199254740991]);
sse("server_side_emit_string_escapes", "protocol 7.3: only \", \\ and U+0000-U+001F are escaped (lowercase \\u00xx); / DEL U+2028 U+2029 stay raw",
  ["str", "quote\" backslash\\ slash/ nul\u0000 bs\b tab\t nl\n vt\u000b ff\f cr\r esc\u001b us\u001f del\u007f ls\u2028 ps\u2029"]);
sse("server_side_emit_non_ascii", "protocol 7.3: non-ASCII text is raw UTF-8, not escaped", ["ünïcödé", "中文", "😀", { "ключ": "значение" }]);
sse("server_side_emit_map_key_order", "trap 9.5: JSON.stringify also puts integer-like keys first", ["order", omap([["b", 1], ["a", 2], ["1", 3], ["10", 4], ["2", 5], ["-1", 6], ["01", 7]])]);
sse("server_side_emit_empty_containers", "protocol 7.3: empty arrays, maps and strings", ["empty", [], {}, ""]);
sse("server_side_emit_reserved_name_not_checked", "protocol 6.1: the official serverSideEmit checks no names and publishes \"disconnect\" (our emitter may refuse it)", ["disconnect", 1]);
sse("server_side_emit_nsp", "protocol 2.1: serverSideEmit on socket.io-request#/admin#", ["ping", 1], { ops: [["of", "admin"]] });
sse("server_side_emit_key_and_nsp", "protocol 2.1: serverSideEmit on myapp-request#admin# (constructor nsp as is)", ["ping"], { key: "myapp", nsp: "admin" });

// --- reserved event names (protocol 6.1, trap 9.16) ---
for (const ev of ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]) {
  add({
    name: `reserved_${ev.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase())}`,
    about: `protocol 6.1: emit("${ev}") throws and publishes nothing`,
    ops: [], call: "emit", args: [ev, 1], throws: true,
  });
}
add({ name: "reserved_connect_with_room", about: "protocol 6.1: reserved names throw on a targeted operator too", ops: [["to", "room1"], ["volatile"]], call: "emit", args: ["connect"], throws: true });
add({ name: "server_side_emit_ack_throws", about: "protocol 2.6: a trailing callback makes serverSideEmit throw (no acks in 5.1.0)", ops: [], call: "serverSideEmit", args: ["ping", 1, FUNC], only: "node", throws: true });

// --- JS-only values (protocol 7.1 null/undefined, typed arrays, toJSON; traps 9.5, 9.14) ---
function nodeOnly(name, about, args, more = {}) {
  add({ name, about, ops: [], call: "emit", args: ["ev", ...args], only: "node", ...more });
}
nodeOnly("node_undefined_in_map", "protocol 7.1: a map key whose value is undefined is left out and not counted (81 a1 6e c0)", [{ u: UNDEF, n: null }]);
nodeOnly("node_function_in_map", "protocol 7.1: a map key whose value is a function is left out (E12)", [{ u: UNDEF, f: FUNC, n: null }]);
nodeOnly("node_undefined_in_array", "protocol 7.1: undefined in an array is c0", [[1, UNDEF, 2]]);
nodeOnly("node_undefined_arg", "protocol 7.1: an undefined argument is c0", [UNDEF]);
nodeOnly("node_map_all_undefined", "protocol 7.1: a map whose values are all undefined is 80", [{ a: UNDEF, b: UNDEF }]);
nodeOnly("node_function_arg_throws", "protocol 7.1: a function argument cannot be encoded", [FUNC], { throws: true });
nodeOnly("node_uint16array_truncated", "trap 9.14: Uint16Array([256,2]) is c4 02 0002 (each element truncated to a byte)", [{ $typed: ["Uint16Array", [256, 2]] }]);
nodeOnly("node_uint8array", "protocol 7.1: a Uint8Array is bin", [{ $typed: ["Uint8Array", [1, 2, 255]] }]);
nodeOnly("node_uint8array_subarray", "protocol 7.1: a subarray view contributes only its visible bytes (c4 02 0506)", [{ $typed_sub: ["Uint8Array", [1, 2, 3, 4, 5, 6], 4, 6] }]);
nodeOnly("node_float64array_truncated", "trap 9.14: Float64Array([1.5,-1,300]) is c4 03 01ff2c", [{ $typed: ["Float64Array", [1.5, -1, 300]] }]);
nodeOnly("node_int16array_truncated", "trap 9.14: Int16Array([-1, 511]) is c4 02 ffff", [{ $typed: ["Int16Array", [-1, 511]] }]);
nodeOnly("node_arraybuffer", "protocol 7.1: an ArrayBuffer is bin of its bytes", [{ $arraybuffer: "0102" }]);
nodeOnly("node_typed_in_map", "protocol 7.1: typed arrays nested in maps become bin", [{ a: { $typed_sub: ["Uint8Array", [9, 8, 7], 1, 3] }, b: [{ $arraybuffer: "" }] }]);
nodeOnly("node_empty_map_object", "protocol 7.1: an empty JS Map is 80", [{ $jsmap: [] }]);
nodeOnly("node_map_with_entries", "protocol 7.1: a JS Map with entries still encodes as 80", [{ $jsmap: [["a", 1], [2, "b"]] }]);
nodeOnly("node_set", "protocol 7.1: a JS Set encodes as 80", [{ $set: [1, 2, 3] }]);
nodeOnly("node_tojson", "protocol 7.1: an object with toJSON() is replaced by its result", [{ $tojson: { x: 1 } }, { $tojson: "s" }]);
nodeOnly("node_tojson_integer_keys", "protocol 7.1: a toJSON() result is encoded with JS key order", [{ $tojson: omap([["b", 1], ["1", 2]]) }]);
nodeOnly("node_tojson_nested", "protocol 7.1: toJSON objects nested in arrays and maps", [[{ $tojson: [1, 2] }], { k: { $tojson: null } }]);
sse("server_side_emit_node_values", "protocol 7.3: undefined left out of objects and null in arrays; typed array as {\"0\":..}; ArrayBuffer, Map, Set as {}; toJSON used",
  ["js", { u: UNDEF, n: null, f: FUNC }, [UNDEF, FUNC, 1], { $typed: ["Uint16Array", [256, 2]] }, { $arraybuffer: "0102" }, { $jsmap: [["a", 1]] }, { $set: [1] }, { $tojson: { x: 1 } }],
  { only: "node" });

// ---------------------------------------------------------------------------------------------
// Tagged JSON -> JS values.

const JS_ONLY_TAGS = new Set(["$undefined", "$typed", "$typed_sub", "$arraybuffer", "$jsmap", "$set", "$tojson", "$function"]);
const ALL_TAGS = new Set(["$bytes", "$float", "$str", "$array", "$map_range", "$map", "$date", ...JS_ONLY_TAGS]);
const TYPED = new Set(["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array"]);

function isTag(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  if (!keys.some((k) => k.startsWith("$"))) return false;
  if (keys.length !== 1 || !ALL_TAGS.has(keys[0])) {
    throw new Error(`bad tag ${JSON.stringify(v).slice(0, 80)} (a map key starting with $ must use $map)`);
  }
  return true;
}

function hexToBuffer(hex) {
  if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/.test(hex)) throw new Error(`bad hex ${String(hex).slice(0, 40)}`);
  return Buffer.from(hex, "hex");
}

function setKey(obj, key, value) {
  // defineProperty so that a key such as "__proto__" is an own property like JSON.parse makes it
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && (!Number.isSafeInteger(v) || Object.is(v, -0))) {
      throw new Error(`plain number ${v} is not an integer within +-(2^53-1); use $float`);
    }
    return v;
  }
  if (!isTag(v)) {
    const o = {};
    for (const k of Object.keys(v)) setKey(o, k, decode(v[k]));
    return o;
  }
  const [tag] = Object.keys(v);
  const x = v[tag];
  switch (tag) {
    case "$bytes":
      return hexToBuffer(x);
    case "$float":
      if (typeof x === "number") return x;
      switch (x) {
        case "NaN": return NaN;
        case "Infinity": return Infinity;
        case "-Infinity": return -Infinity;
        case "-0": return -0;
      }
      throw new Error(`bad $float ${x}`);
    case "$str":
      return x[0].repeat(x[1]);
    case "$array":
      return Array.from({ length: x[1] }, () => decode(x[0]));
    case "$map_range": {
      const o = {};
      for (let i = 0; i < x; i++) setKey(o, `k${i}`, i);
      return o;
    }
    case "$map": {
      const o = {};
      for (const [k, val] of x) {
        if (typeof k !== "string") throw new Error("$map keys must be strings");
        setKey(o, k, decode(val));
      }
      return o;
    }
    case "$date":
      return new Date(x);
    case "$undefined":
      return undefined;
    case "$function":
      return function callback() {};
    case "$typed":
    case "$typed_sub": {
      if (!TYPED.has(x[0])) throw new Error(`bad typed array ${x[0]}`);
      const t = new globalThis[x[0]](x[1]);
      return tag === "$typed" ? t : t.subarray(x[2], x[3]);
    }
    case "$arraybuffer": {
      const b = hexToBuffer(x);
      const ab = new ArrayBuffer(b.length);
      new Uint8Array(ab).set(b);
      return ab;
    }
    case "$jsmap":
      return new Map(x.map(([k, val]) => [decode(k), decode(val)]));
    case "$set":
      return new Set(x.map(decode));
    case "$tojson": {
      const result = decode(x);
      return { toJSON: () => result };
    }
  }
  throw new Error(`unhandled tag ${tag}`);
}

function usesJsOnly(v) {
  if (Array.isArray(v)) return v.some(usesJsOnly);
  if (v === null || typeof v !== "object") return false;
  const keys = Object.keys(v);
  if (keys.length === 1 && JS_ONLY_TAGS.has(keys[0])) return true;
  if (keys.length === 1 && keys[0] === "$map") return v.$map.some(([, val]) => usesJsOnly(val));
  if (keys.length === 1 && keys[0] === "$array") return usesJsOnly(v.$array[0]);
  return keys.some((k) => usesJsOnly(v[k]));
}

// ---------------------------------------------------------------------------------------------
// Running one case through the official emitter.

const CALLS = new Set(["emit", "serverSideEmit", "socketsJoin", "socketsLeave", "disconnectSockets"]);
const OPS = new Set(["of", "to", "in", "except", "volatile", "compress"]);

function payloadHex(message) {
  if (Buffer.isBuffer(message)) return message.toString("hex");
  if (typeof message === "string") return Buffer.from(message, "utf8").toString("hex");
  throw new Error(`unexpected payload type ${typeof message}`);
}

function run(Emitter, c) {
  const publishes = [];
  const redis = {
    publish(channel, message) {
      if (typeof channel !== "string") throw new Error("channel is not a string");
      publishes.push({ channel, payload_hex: payloadHex(message) });
      return Promise.resolve(1);
    },
  };
  let t = new Emitter(redis, c.key === undefined ? undefined : { key: c.key }, c.nsp === undefined ? "/" : c.nsp);
  for (const op of c.ops) {
    const [name, arg] = op;
    if (!OPS.has(name)) throw new Error(`unknown op ${name}`);
    if (name === "volatile") {
      if (op.length !== 1) throw new Error("volatile takes no argument");
      t = t.volatile;
    } else {
      if (op.length !== 2) throw new Error(`${name} takes one argument`);
      t = t[name](decode(arg));
    }
  }
  if (!CALLS.has(c.call)) throw new Error(`unknown call ${c.call}`);
  let threw;
  try {
    t[c.call](...decode(c.args));
  } catch (err) {
    threw = err.message;
  }
  return { publishes, threw };
}

// ---------------------------------------------------------------------------------------------
// Building and writing the document.

function capture(Emitter) {
  const names = new Set();
  const out = [];
  for (const def of CASES) {
    // Round-trip the inputs through JSON first, so the emitter sees exactly what the file says.
    const input = JSON.parse(JSON.stringify({ key: def.key, nsp: def.nsp, ops: def.ops, args: def.args }));
    if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(def.name)) throw new Error(`case name ${def.name} is not snake_case`);
    if (names.has(def.name)) throw new Error(`duplicate case name ${def.name}`);
    names.add(def.name);
    if (typeof def.about !== "string" || def.about.includes("\n")) throw new Error(`${def.name}: about must be one line`);
    const jsOnly = usesJsOnly(input.args) || usesJsOnly(input.ops);
    if (jsOnly !== (def.only === "node")) {
      throw new Error(`${def.name}: only:"node" must be set exactly when JS-only tags are used`);
    }
    const { publishes, threw } = run(Emitter, { call: def.call, ...input });
    if (Boolean(def.throws) !== (threw !== undefined)) {
      throw new Error(`${def.name}: ${threw === undefined ? "expected a throw" : `unexpected throw: ${threw}`}`);
    }
    if (threw !== undefined && publishes.length !== 0) throw new Error(`${def.name}: threw after publishing`);
    if (threw === undefined && publishes.length !== 1) throw new Error(`${def.name}: ${publishes.length} publishes`);
    const c = { name: def.name, about: def.about };
    if (input.key !== undefined) c.key = input.key;
    if (input.nsp !== undefined) c.nsp = input.nsp;
    c.ops = input.ops;
    c.call = def.call;
    c.args = input.args;
    if (def.only !== undefined) c.only = def.only;
    if (threw !== undefined) c.throws = threw;
    c.publishes = publishes;
    out.push(c);
  }
  return out;
}

function render(cases) {
  const j = (v) => JSON.stringify(v);
  const lines = [];
  lines.push("{");
  lines.push(`  "source": ${j(SOURCE)},`);
  lines.push(`  "generated_by": ${j(GENERATED_BY)},`);
  lines.push(`  "cases": [`);
  cases.forEach((c, i) => {
    lines.push("    {");
    const fields = Object.keys(c).filter((k) => k !== "publishes");
    for (const k of fields) lines.push(`      ${j(k)}: ${j(c[k])},`);
    if (c.publishes.length === 0) {
      lines.push(`      "publishes": []`);
    } else {
      lines.push(`      "publishes": [`);
      c.publishes.forEach((p, pi) => {
        const comma = pi + 1 < c.publishes.length ? "," : "";
        lines.push(`        {"channel": ${j(p.channel)}, "payload_hex": ${j(p.payload_hex)}}${comma}`);
      });
      lines.push("      ]");
    }
    lines.push(i + 1 < cases.length ? "    }," : "    }");
  });
  lines.push("  ]");
  lines.push("}");
  return lines.join("\n") + "\n";
}

function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  if (args.some((a) => a !== "--check")) fail(`usage: node capture.js [--check]`);
  const Emitter = loadEmitter();
  const cases = capture(Emitter);
  const text = render(cases);
  JSON.parse(text); // must be valid JSON
  if (!check) {
    fs.writeFileSync(OUT_FILE, text);
    process.stdout.write(`wrote ${path.relative(process.cwd(), OUT_FILE) || OUT_FILE}: ${cases.length} cases, ${Buffer.byteLength(text)} bytes\n`);
    return;
  }
  let committed;
  try {
    committed = fs.readFileSync(OUT_FILE, "utf8");
  } catch (err) {
    process.stderr.write(`capture.js --check: cannot read ${OUT_FILE}: ${err.message}\n`);
    process.exit(1);
  }
  if (committed === text) {
    process.stdout.write(`vectors.json is up to date (${cases.length} cases)\n`);
    return;
  }
  let detail = "";
  try {
    const old = new Map(JSON.parse(committed).cases.map((c) => [c.name, JSON.stringify(c)]));
    const fresh = new Map(cases.map((c) => [c.name, JSON.stringify(c)]));
    const changed = [...fresh.keys()].filter((n) => old.has(n) && old.get(n) !== fresh.get(n));
    const added = [...fresh.keys()].filter((n) => !old.has(n));
    const removed = [...old.keys()].filter((n) => !fresh.has(n));
    const show = (label, list) => (list.length ? `  ${label}: ${list.slice(0, 20).join(", ")}${list.length > 20 ? ", ..." : ""}\n` : "");
    detail = show("changed", changed) + show("new", added) + show("removed", removed);
  } catch (err) {
    detail = `  committed file is not valid JSON: ${err.message}\n`;
  }
  process.stderr.write(`capture.js --check: vectors.json differs from a fresh capture\n${detail || "  (formatting differs)\n"}run: node tests/vectors/capture.js\n`);
  process.exit(1);
}

main();
