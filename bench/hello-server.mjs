/* global console, process */
// The reference for `npm run bench -- serve`: a bare Fastify service that answers a JSON POST by echoing
// one field, the ceiling of any Node service that parses and answers JSON. Prints its address when ready.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/echo', async (request) => ({ echo: request.body.distance }));
const address = await app.listen({ port: 0, host: '127.0.0.1' });
console.log(`hello on ${address} `);
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
