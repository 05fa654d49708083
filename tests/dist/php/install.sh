#!/bin/sh
# The composer package as a user gets it: a new project requires it from a path repository
# with "symlink": false, so composer copies it into vendor/ as it does from Packagist, and the
# unpacked package is then deleted: the copy must stand on its own.
#   install.sh DIST WORK
set -eu
dist=$1 work=$2
tar -xzf "$dist"/php/socketio-emitter-php-*.tar.gz -C "$work"
pkg=$(echo "$work"/socketio-emitter-php-*)
version=${pkg##*-php-}
mkdir "$work/app"
cat > "$work/app/composer.json" <<JSON
{
    "repositories": [
        {"packagist.org": false},
        {"type": "path", "url": "$pkg",
         "options": {"symlink": false, "versions": {"socketio-emitter/socketio-emitter": "$version"}}}
    ]
}
JSON
cp "$(dirname "$0")/emit.php" "$work/app/"
cd "$work/app"
export COMPOSER_HOME="$work/composer-home" COMPOSER_NO_INTERACTION=1
# snippet: php-install
composer require socketio-emitter/socketio-emitter
# end snippet
grep -q '"socketio-emitter/socketio-emitter": "^' composer.json
rm -rf "$pkg"
