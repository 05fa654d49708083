#!/bin/sh
# Emits from the program install.sh built, with only the Maven dependencies on the classpath
# (no -Djna.library.path: JNA takes the library out of our jar); prints the event.
#   emit.sh WORK REDIS_URL
set -eu
cd "$1/app"
java -cp "target/classes:target/lib/*" Emit "$2" dist-java
