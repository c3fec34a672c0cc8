// The credential helper as the CLI runs it (`gantry git-credential <operation>`): stdin in, answer out.
import { gitCredential, type GitCredentialOperation } from '../../src/index.ts';

const chunks: Buffer[] = [];
for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
process.stdout.write(await gitCredential(process.argv[2] as GitCredentialOperation, Buffer.concat(chunks).toString('utf8')));
