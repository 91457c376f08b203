// Loaded with NODE_OPTIONS=--import (Node 20 refuses --cpu-prof there): profiles the
// whole process and writes <BENCH_CPU_PROF>/<pid>.cpuprofile when it exits.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.once('exit', () => {
    // An in-thread session answers synchronously, so this still runs inside 'exit'.
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
