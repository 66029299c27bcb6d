# The receiver from the webhook document (seed 000_03e72510ba23ce73, "verify-signature.py"),
# copied verbatim; only the line breaks lost in the document's flattening are restored. The
# harness below it is ours: it feeds the function exactly what a receiver would hold.
import hmac
import hashlib

def verify_webhook_signature(payload, signature, secret):
    """Verify Corgea webhook signature"""
    expected_signature = hmac.new(
        secret.encode('utf-8'),
        payload.encode('utf-8'),
        hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected_signature, signature)


# Harness: python3 corgea_verify.py <body-file> <secret-file> <signature>
# The body and secret are read as raw bytes from files (no shell quoting, no argv encoding) and
# decoded as strict UTF-8, as a framework hands a text body to the snippet (Flask's
# request.get_data(as_text=True)). Prints "valid" or "invalid"; anything else is a failure.
if __name__ == '__main__':
    import sys

    body_path, secret_path, signature = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(body_path, 'rb') as f:
        payload = f.read().decode('utf-8', errors='strict')
    with open(secret_path, 'rb') as f:
        secret = f.read().decode('utf-8', errors='strict')
    print('valid' if verify_webhook_signature(payload, signature, secret) else 'invalid')
