import type { DoctorReport, FlotillaClient } from '@flotilla/protocol';
import { ExitError } from '../errors.js';
import { PLAIN, styleFor, type Style } from '../format/ansi.js';
import { printJson, printLine, type CliStreams } from '../streams.js';

export interface DoctorOptions {
  client: FlotillaClient;
  streams: CliStreams;
  json?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
}

/** `cb doctor`: every check with ✔/✘ and exactly what to fix; exits 1 unless all pass. */
export async function doctor(options: DoctorOptions): Promise<DoctorReport> {
  const report = await options.client.doctor();
  const { stdout } = options.streams;
  if (options.json) printJson(stdout, report);
  else printLine(stdout, formatDoctor(report, styleFor(stdout, options.env)));
  if (!report.ok) throw new ExitError(1);
  return report;
}

export function formatDoctor(report: DoctorReport, style: Style = PLAIN): string {
  const lines = report.checks.map((check) => {
    const head = `${check.ok ? style.green('✔') : style.red('✘')} ${check.name}${check.detail ? style.dim(`  ${check.detail}`) : ''}`;
    return !check.ok && check.fix ? `${head}\n    fix: ${check.fix}` : head;
  });
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push('', failed === 0 ? `all ${report.checks.length} checks passed on ${report.host}` : `${failed} of ${report.checks.length} checks failed on ${report.host}`);
  return lines.join('\n');
}
