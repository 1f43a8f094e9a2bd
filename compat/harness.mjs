// What the compat scripts share: a failing check, a poll until a condition holds, and a report of named scenarios
// ("<prefix>: <name> ok" or "<prefix>: <name> FAILED: <reason>", then "N passed, M failed").

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Waits until `predicate()` holds, polling every `every` ms; fails with `what` after `ms`.
export async function until(predicate, what, ms, every = 20) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

// Runs scenarios one at a time, printing each outcome; `finish()` prints the tally and exits 0 only if all passed.
export function report(prefix) {
  let passed = 0;
  let failed = 0;
  return {
    async scenario(name, body) {
      try {
        await body();
        console.log(`${prefix}: ${name} ok`);
        passed += 1;
      } catch (err) {
        console.log(`${prefix}: ${name} FAILED: ${err.message}`);
        failed += 1;
      }
    },
    finish() {
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
