"use strict";
// `node --test tests/harness/` picks this up; the self-test lives in smoke-requests.js.
require("./smoke-requests.js");
