import type { ApiErrorBody, FieldViolation } from './types';

/** An answer other than 2xx, in words a person can act on. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly violations: FieldViolation[] = [],
  ) {
    super(message);
  }
}

export type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

const STATUS_WORDS: Record<number, string> = {
  401: 'The API key is unknown or was revoked. Sign in again.',
  403: 'Your API key’s role may not do this.',
  404: 'Not found: it may have been deleted.',
  409: 'Someone changed this meanwhile, or it is not in a state that allows this.',
  413: 'The request is too large.',
  429: 'Too many requests: wait a moment and try again.',
  504: 'The endpoint did not answer in time.',
};

async function toError(response: Response): Promise<ApiError> {
  const text = await response.text();
  let body: Partial<ApiErrorBody> = {};
  try {
    body = JSON.parse(text) as ApiErrorBody;
  } catch {
    // Not the API's error body (a proxy's page): fall back to the status.
  }
  const message =
    typeof body.message === 'string' && body.message !== ''
      ? body.message
      : (STATUS_WORDS[response.status] ?? `The server answered ${response.status}.`);
  return new ApiError(
    response.status,
    typeof body.error === 'string' ? body.error : 'error',
    message,
    Array.isArray(body.violations) ? body.violations : [],
  );
}

/** Calls the REST API of the origin the dashboard was served from, with the API key. */
export function createApi(apiKey: string, onUnauthorized: () => void): Api {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'network', 'The Hookline API cannot be reached. Is it running?');
    }
    if (response.status === 401) onUnauthorized();
    if (!response.ok) throw await toError(response);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  };
}

/** Downloads a file from the API (the CSV export) with the API key, as the browser's download. */
export async function downloadFile(apiKey: string, path: string, fallbackName: string) {
  let response: Response;
  try {
    response = await fetch(path, { headers: { authorization: `Bearer ${apiKey}` } });
  } catch {
    throw new ApiError(0, 'network', 'The Hookline API cannot be reached. Is it running?');
  }
  if (!response.ok) throw await toError(response);
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `?a=1&b=2` of the defined, non-empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** Violations by the top-level form field they name (`headers.X-Token` → `headers`). */
export function violationsByField(error: unknown): Record<string, string[]> {
  if (!(error instanceof ApiError)) return {};
  const byField: Record<string, string[]> = {};
  for (const violation of error.violations) {
    const field = violation.field.split(/[.[]/)[0] ?? violation.field;
    (byField[field] ??= []).push(violation.message);
  }
  return byField;
}
