"use strict";
// `node --test tests/harness/` only picks up files named like tests (*.test.js, ...);
// the self-test itself lives in smoke.js.
require("./smoke.js");
