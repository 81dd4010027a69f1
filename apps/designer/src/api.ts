import type { z } from 'zod';

/** A failed call to the runtime, with the runtime's own message when it gave one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'reelflow.token';

/**
 * The runtime's access token, when it asks for one (`reelflow serve --host` on a non-loopback
 * address): given once as `?token=` in the page URL, then kept in sessionStorage and removed
 * from the address bar so it does not end up in bookmarks or history.
 */
export function accessToken(): string | undefined {
  if (typeof window === 'undefined') return undefined;
  const url = new URL(window.location.href);
  const given = url.searchParams.get('token');
  if (given) {
    window.sessionStorage.setItem(TOKEN_KEY, given);
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', url);
  }
  return window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** `Authorization` for a call to the runtime (empty when there is no token). */
export function authHeaders(): Record<string, string> {
  const token = accessToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** A runtime URL for what cannot send headers (`<video src>`, HLS playlists): the token as `access_token`. */
export function withAccessToken(path: string): string {
  const token = accessToken();
  if (!token) return path;
  return `${path}${path.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function errorText(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null && 'error' in body)
    return String((body as { error: unknown }).error);
  if (typeof body === 'string' && body) return body.slice(0, 200);
  return status === 0 ? 'the runtime cannot be reached' : `the runtime answered ${status}`;
}

/**
 * Call the runtime and check the answer against a protocol schema, so a wrong answer is a
 * clear error here rather than an undefined somewhere in the UI.
 */
export async function api<T>(
  path: string,
  schema: z.ZodType<T> | undefined,
  init?: RequestInit,
): Promise<T> {
  return (await apiCall(path, schema, init)).body;
}

/** `api`, also answering the response headers (an `ETag`, a `Location`). */
export async function apiCall<T>(
  path: string,
  schema: z.ZodType<T> | undefined,
  init?: RequestInit,
): Promise<{ body: T; headers: Headers }> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      headers: {
        ...authHeaders(),
        ...(init?.body && typeof init.body === 'string'
          ? { 'content-type': 'application/json' }
          : {}),
        ...(init?.headers as Record<string, string> | undefined),
      },
    });
  } catch {
    throw new ApiError('the runtime cannot be reached', 0, undefined);
  }
  const body = await readBody(res);
  if (!res.ok) throw new ApiError(errorText(res.status, body), res.status, body);
  if (!schema) return { body: body as T, headers: res.headers };
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiError(
      `unexpected answer from ${path}: ${parsed.error.issues[0]?.message ?? ''}`,
      res.status,
      body,
    );
  return { body: parsed.data, headers: res.headers };
}

export const errorMessage = (err: unknown): string =>
  err instanceof Error ? err.message : String(err);

/** POST a file as multipart with upload progress (fetch cannot report upload progress). */
export function uploadWithProgress(
  path: string,
  file: File,
  onProgress: (loaded: number, total: number) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () =>
      reject(new ApiError('the upload failed: the runtime cannot be reached', 0, undefined));
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* keep the text */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else
        reject(new ApiError(`the upload failed: ${errorText(xhr.status, body)}`, xhr.status, body));
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}
