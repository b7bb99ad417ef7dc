// Lints a Dockerfile offline with dockerfile-utils (the validator of the Docker language server): instructions,
// their arguments and flags, FROM/ARG/ENV syntax, JSON forms, HEALTHCHECK and STOPSIGNAL values. Used by the test
// run in place of hadolint, which Debian does not package.
//   node eng/validate/dockerfile.mjs docker/Dockerfile
// Prints every problem found and exits 1 when there is any.
import { readFileSync } from "node:fs";
import { validate } from "dockerfile-utils";

const file = process.argv[2];
const content = readFileSync(file, "utf8");
const problems = validate(content, { deprecatedMaintainer: 1, emptyContinuationLine: 1, instructionCasing: 1, instructionCmdMultiple: 1, instructionEntrypointMultiple: 1, instructionHealthcheckMultiple: 1, instructionJSONInSingleQuotes: 1 });
for (const problem of problems) {
  console.log(`${file}:${problem.range.start.line + 1}: ${problem.message}`);
}

console.log(`${problems.length} problem(s)`);
process.exit(problems.length > 0 ? 1 : 0);
