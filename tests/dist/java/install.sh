#!/bin/sh
# The Java artifact as a user gets it: our jar and pom from dist/ installed (`mvn
# install:install-file`) into a Maven repository inside WORK, then a new Maven project that
# depends on the coordinates; JNA comes from Maven Central through our pom.
#   install.sh DIST WORK
set -eu
dist=$1 work=$2
repo="$work/m2"
mvn="mvn -B -q -ntp -Dmaven.repo.local=$repo"
pom=$(ls "$dist"/java/socketio-emitter-*.pom)
version=$(basename "$pom" .pom | sed 's/^socketio-emitter-//')
$mvn org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file -DpomFile="$pom" \
  -Dfile="$dist/java/socketio-emitter-$version.jar" \
  -Dsources="$dist/java/socketio-emitter-$version-sources.jar" \
  -Djavadoc="$dist/java/socketio-emitter-$version-javadoc.jar"
mkdir "$work/app"
sed "s/@VERSION@/$version/" "$(dirname "$0")/pom.xml" > "$work/app/pom.xml"
cp "$(dirname "$0")/Emit.java" "$work/app/"
cd "$work/app"
$mvn compile
# The library must come from the jar: no copy of it anywhere else in WORK.
if find "$work" -name 'libsocketio_emitter.so' | grep -q .; then
  echo "libsocketio_emitter.so lies outside the jar" >&2
  exit 1
fi
