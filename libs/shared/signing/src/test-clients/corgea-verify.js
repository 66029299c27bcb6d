// The receiver from the webhook document (seed 000_03e72510ba23ce73), copied verbatim; only the
// `crypto` import and the export are added. Plain JavaScript so nothing of ours shapes it.
const crypto = require('crypto');

// prettier-ignore
function verifyWebhookSignature(payload, signature, secret) {
  const expectedSignature = crypto
    .createHmac('sha256', secret)
    .update(payload)
    .digest('hex');
  return crypto.timingSafeEqual(
    Buffer.from(expectedSignature),
    Buffer.from(signature)
  );
}

module.exports = { verifyWebhookSignature };
