import { parseArgs } from 'node:util';
import { collectDiagnostics, type Diagnostics } from '../../services/doctor';
import type { CliCommand } from '../command';

const usage = `Usage: e2gan doctor [--json] [--provider NAME]...

Prints the app version, Node and Electron versions, the data folder, and which onnxruntime execution
providers really open a session and compute correctly on this machine (cpu always; webgpu, dml, coreml
where the platform ships them), each with the GPU adapter it would run on (as the OS and the GPU drivers
name it: Dawn, behind webgpu, takes the high-performance adapter its Vulkan/D3D12/Metal driver offers).
  --json           machine-readable output (has an "executionProviders" array of working providers)
  --provider NAME  probe only this provider (repeatable): webgpu, dml, coreml, cuda, cpu`;

function formatText(d: Diagnostics): string {
  const electron = [
    d.electron.installed ? `${d.electron.installed} installed` : 'not installed',
    d.electron.running ? `running in ${d.electron.running}` : 'not running inside Electron',
  ].join('; ');
  const source = d.dataDirSource === 'default' ? 'OS default; set E2GAN_STUDIO_HOME to change' : 'from E2GAN_STUDIO_HOME';
  const width = Math.max(...d.executionProviderChecks.map((c) => c.name.length));
  const providers = d.executionProviderChecks.flatMap((check) => [
    check.available
      ? `  ${check.name.padEnd(width)}  ok (${check.ms} ms)`
      : `  ${check.name.padEnd(width)}  unavailable: ${(check.error ?? 'unknown error').split('\n')[0]}`,
    `  ${''.padEnd(width)}  adapter: ${check.adapter ?? 'none'} (${check.adapterNote})` +
      (check.otherAdapters.length ? `; also: ${check.otherAdapters.join(', ')}` : ''),
  ]);
  return [
    `${d.app.name} ${d.app.version}`,
    `Node          ${d.node}`,
    `Electron      ${electron}`,
    `Platform      ${d.platform} ${d.arch}`,
    `Data folder   ${d.dataDir} (${source}${d.dataDirExists ? '' : '; not created yet'})`,
    `Execution providers (working: ${d.executionProviders.join(', ') || 'none'}):`,
    ...providers,
  ].join('\n');
}

const doctor: CliCommand = {
  path: ['doctor'],
  summary: 'Versions, data folder and the onnxruntime execution providers that work here',
  usage,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: { json: { type: 'boolean' }, provider: { type: 'string', multiple: true } },
      allowPositionals: false,
    });
    const diagnostics = await collectDiagnostics(values.provider ? { providers: values.provider } : {});
    io.out(values.json ? JSON.stringify(diagnostics, null, 2) : formatText(diagnostics));
    return diagnostics.executionProviders.length > 0 ? 0 : 1;
  },
};

export default doctor;
