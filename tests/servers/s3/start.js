// tests/servers/s3/start.js — npm's s3rver on 127.0.0.1 for the object
// storage registry tests (tests/s3.sh):
//   node start.js DIR BUCKET ACCESS_KEY SECRET
// listens on a free port (port 0), prints "port N" once ready, stops on
// SIGTERM.
//
// s3rver 3.7.1 checks the access key id of a SigV4 request but not its
// signature (lib/middleware/authentication.js: "Signature version 4
// calculation is unimplemented"), so a wrong secret would pass. The
// middleware below checks every SigV4 signature the way AWS S3 does
// (canonical request, string to sign, the derived signing key) before
// s3rver sees the request, and answers 403 SignatureDoesNotMatch when it
// differs: the tests' wrong-secret case is then a real one, and our
// client's signing (libcurl's CURLOPT_AWS_SIGV4 plus the headers we add)
// is checked by an implementation that is not libcurl's. The key pair is
// the test's own, so the test can look for its secret in every output.
//
// $S3_REQUEST_LOG, when set, gets a line per request: "METHOD URL STATUS"
// (a test sees a poll answered 304).
//
// Failure injection: while the file named by $S3_REFUSE_LIVE exists, a
// PUT of an object named LIVE is answered 500 InternalError, so a test
// can cut a push after the version's files and before LIVE. While the
// file named by $S3_HOLD_MANIFEST exists, a PUT of a bundle.json is held
// (the file "<it>.held" says so) until that file goes or 30 s pass, so a
// test can kill the pushing process in the middle of a push; an upload
// whose client is gone by then is not stored, as S3 does.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const S3rver = require('s3rver');
const Account = require('s3rver/lib/models/account');
const [dir, bucket, key, secret] = process.argv.slice(2);
Account.DUMMY_ACCOUNT.createKeyPair(key, secret);

const hmac = (k, s) => crypto.createHmac('sha256', k).update(s).digest();
const sha256 = s => crypto.createHash('sha256').update(s).digest('hex');
const enc = s => encodeURIComponent(s).replace(/[!'()*]/g,
  c => '%' + c.charCodeAt(0).toString(16).toUpperCase());

function expectedSignature(req) {
  const auth = req.headers.authorization || '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return null;
  const [, keyId, day, region, signed, given] = m;
  const secretOf = Account.DUMMY_ACCOUNT.accessKeys.get(keyId);
  if (secretOf === undefined) return null;
  const [path, query = ''] = req.url.split(/\?(.*)/s);
  const pairs = query === '' ? [] : query.split('&').map(p => {
    const [k, v = ''] = p.split(/=(.*)/s);
    return [enc(decodeURIComponent(k)), enc(decodeURIComponent(v))];
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  const names = signed.split(';');
  const canonical = [
    req.method, path, pairs.map(p => p.join('=')).join('&'),
    names.map(n => n + ':' + String(req.headers[n] || '').trim().replace(/ +/g, ' ') + '\n').join(''),
    signed, req.headers['x-amz-content-sha256'] || '',
  ].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', req.headers['x-amz-date'], scope, sha256(canonical)].join('\n');
  let k = hmac('AWS4' + secretOf, day);
  for (const part of [region, 's3', 'aws4_request']) k = hmac(k, part);
  return { given, want: hmac(k, toSign).toString('hex') };
}

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory: dir,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
});
server.middleware.unshift(async (ctx, next) => {
  try {
    await next();
  } finally {
    if (process.env.S3_REQUEST_LOG)
      fs.appendFileSync(process.env.S3_REQUEST_LOG,
        `${ctx.method} ${ctx.url} ${ctx.status}\n`);
  }
});
server.middleware.unshift(async (ctx, next) => {
  const hold = process.env.S3_HOLD_MANIFEST;
  if (hold && fs.existsSync(hold) && ctx.method === 'PUT' &&
      /\/bundle\.json$/.test(ctx.path)) {
    fs.writeFileSync(hold + '.held', ctx.path + '\n');
    for (let i = 0; i < 300 && fs.existsSync(hold); i++)
      await new Promise(resolve => setTimeout(resolve, 100));
    // S3 never stores an upload whose client went away before the end
    // (s3rver would store what it read: nothing)
    if (ctx.req.socket.destroyed || ctx.req.aborted) {
      ctx.status = 400;
      ctx.body = 'IncompleteBody';
      return;
    }
  }
  const refuse = process.env.S3_REFUSE_LIVE;
  if (refuse && fs.existsSync(refuse) && ctx.method === 'PUT' &&
      /\/LIVE$/.test(ctx.path)) {
    ctx.status = 500;
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' +
      'InternalError</Code><Message>injected by the test</Message></Error>';
    return;
  }
  if (ctx.req.headers.authorization) {
    const s = expectedSignature(ctx.req);
    if (!s || s.given !== s.want) {
      ctx.status = 403;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>' +
        'SignatureDoesNotMatch</Code><Message>The request signature we ' +
        'calculated does not match the signature you provided.</Message></Error>';
      return;
    }
  }
  return next();
});
server.run((err, addr) => {
  if (err) {
    console.error('s3rver: ' + err.message);
    process.exit(1);
  }
  console.log('port ' + addr.port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
