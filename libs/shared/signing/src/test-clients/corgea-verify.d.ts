/** Types for the seed's Node receiver in corgea-verify.js (throws on a wrong-length signature). */
export declare function verifyWebhookSignature(
  payload: string | Buffer,
  signature: string,
  secret: string,
): boolean;
