"use strict";
// `node -r ./test/ts-hook.js examples/nestjs.ts`: runs a TypeScript file as tsc would compile it
// in a Nest project (CommonJS, decorators with their metadata), without writing any output.
// Types are checked by `make lint`, not here.
const fs = require("node:fs");
const ts = require("typescript");

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
};

require.extensions[".ts"] = (module, fileName) => {
  const source = fs.readFileSync(fileName, "utf8");
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName });
  module._compile(outputText, fileName);
};
