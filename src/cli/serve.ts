import type { Command } from 'commander';
import { startServer } from '../server/start-server.js';
import { dataDirOption, parsePort } from './options.js';

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the Evident server on the embedded store (a data folder)')
    .option('-d, --data <dir>', 'data folder (env EVIDENT_DATA)', undefined)
    .option(
      '--host <host>',
      'address to listen on (env EVIDENT_HOST)',
      process.env.EVIDENT_HOST ?? '127.0.0.1',
    )
    .option(
      '-p, --port <port>',
      'port to listen on (env EVIDENT_PORT)',
      parsePort,
      Number(process.env.EVIDENT_PORT ?? 8080),
    )
    .option(
      '--origin <origin>',
      'log origin for a NEW log (env EVIDENT_ORIGIN); default evident.local/<hostname>',
    )
    .option(
      '--log-level <level>',
      'server log level: fatal, error, warn, info, debug',
      process.env.EVIDENT_LOG_LEVEL ?? 'warn',
    )
    .action(
      async (opts: {
        data?: string;
        host: string;
        port: number;
        origin?: string;
        logLevel: string;
      }) => {
        const dataDir = dataDirOption(opts.data);
        const server = await startServer({
          dataDir,
          host: opts.host,
          port: opts.port,
          origin: opts.origin ?? process.env.EVIDENT_ORIGIN,
          adminTokenFromEnv: process.env.EVIDENT_ADMIN_TOKEN,
          logLevel: opts.logLevel,
        });
        const head = await server.log.store.head();
        console.log(`Evident listening on ${server.url}`);
        console.log(
          `  data folder: ${dataDir}   origin: ${server.log.origin}   tree size: ${head?.size ?? 0}`,
        );
        if (server.generatedAdminToken) {
          console.log('');
          console.log(
            `  Admin token (shown once; also saved to ${dataDir}/admin.token, mode 0600):`,
          );
          console.log(`    ${server.generatedAdminToken}`);
          console.log('');
        }
        const stop = async (signal: string) => {
          console.log(`${signal}: finishing in-flight batches and closing`);
          await server.close();
          process.exit(0);
        };
        process.once('SIGINT', () => void stop('SIGINT'));
        process.once('SIGTERM', () => void stop('SIGTERM'));
      },
    );
}
