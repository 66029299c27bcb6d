import type { DataSource } from 'typeorm';
import { AccessError } from '../access.error';
import { isRole, type Role } from '../roles/roles';
import {
  API_KEY_NAME_MAX_LENGTH,
  generateApiKey,
  hashApiKey,
  isApiKeyFormat,
  isApiKeyId,
  newApiKeyId,
} from './api-key';

export interface CreateApiKeyInput {
  /** The tenant the key acts for; it can never see or change another company's data. */
  readonly company: string;
  readonly role: Role;
  /** A label for people, e.g. "CI deploys" (1-100 characters, no control characters). */
  readonly name: string;
}

/** What `create` returns: the only time the key itself is ever available. */
export interface CreatedApiKey {
  readonly id: string;
  /** The secret key. Show it once; it cannot be recovered later. */
  readonly key: string;
  readonly prefix: string;
  readonly company: string;
  readonly role: Role;
  readonly name: string;
  readonly createdAt: Date;
}

/** A key as lists show it: no key, no hash. */
export interface ApiKeySummary {
  readonly id: string;
  readonly prefix: string;
  readonly company: string;
  readonly role: Role;
  readonly name: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

/** Who a presented key speaks for. */
export interface ApiKeyPrincipal {
  readonly keyId: string;
  readonly company: string;
  readonly role: Role;
}

export interface ApiKeyStoreOptions {
  /**
   * `last_used_at` is written at most this often per key (default 60 000 ms), so a busy key does
   * not turn every read request into a row update.
   */
  readonly lastUsedResolutionMs?: number;
}

interface ApiKeyRow {
  id: string;
  prefix: string;
  company: string;
  role: string;
  name: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

const SUMMARY_COLUMNS = 'id, prefix, company, role, name, created_at, revoked_at, last_used_at';
const CONTROL_CHARACTERS = /\p{Cc}/u;

/**
 * API keys in the `api_keys` table (see `ACCESS_MIGRATIONS`). Keys are stored as SHA-256 hashes
 * and authenticated by looking the hash up: the comparison happens inside a unique index on a
 * hash the caller cannot steer, so there is no byte-by-byte comparison of the secret to time.
 */
export class ApiKeyStore {
  readonly #lastUsedResolutionMs: number;

  constructor(
    private readonly dataSource: DataSource,
    options: ApiKeyStoreOptions = {},
  ) {
    this.#lastUsedResolutionMs = options.lastUsedResolutionMs ?? 60_000;
  }

  /**
   * Creates a key for `company` with `role`.
   *
   * @throws AccessError `INVALID_API_KEY_REQUEST` for an empty company, unknown role or bad name.
   */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey> {
    const company = requireCompany(input?.company);
    const name = requireName(input?.name);
    if (!isRole(input?.role)) {
      throw new AccessError(
        'INVALID_API_KEY_REQUEST',
        'role must be one of admin, integrations, viewer',
      );
    }
    const id = newApiKeyId();
    const { key, prefix, hash } = generateApiKey();
    const rows: Array<{ created_at: Date }> = await this.dataSource.query(
      `INSERT INTO api_keys (id, company, role, name, prefix, key_hash)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING created_at`,
      [id, company, input.role, name, prefix, hash],
    );
    return {
      id,
      key,
      prefix,
      company,
      role: input.role,
      name,
      createdAt: firstRow(rows).created_at,
    };
  }

  /** Every key of `company`, revoked ones included, oldest first. Never a key or a hash. */
  async list(company: string): Promise<ApiKeySummary[]> {
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS} FROM api_keys WHERE company = $1 ORDER BY created_at, id`,
      [requireCompany(company)],
    );
    return rows.map(toSummary);
  }

  /**
   * Revokes a key of `company`: it stops authenticating at once. Revoking a revoked key changes
   * nothing and returns it as it is.
   *
   * @throws AccessError `API_KEY_NOT_FOUND` when `company` has no key `id` (another company's
   *   key included: its existence is not revealed).
   */
  async revoke(id: string, company: string): Promise<ApiKeySummary> {
    const notFound = () => new AccessError('API_KEY_NOT_FOUND', `API key ${String(id)} not found`);
    if (!isApiKeyId(id)) throw notFound();
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `WITH revoked AS (
         UPDATE api_keys SET revoked_at = now()
         WHERE id = $1 AND company = $2 AND revoked_at IS NULL
         RETURNING ${SUMMARY_COLUMNS}
       )
       SELECT ${SUMMARY_COLUMNS} FROM revoked
       UNION ALL
       SELECT ${SUMMARY_COLUMNS} FROM api_keys
       WHERE id = $1 AND company = $2 AND revoked_at IS NOT NULL`,
      [id, requireCompany(company)],
    );
    const row = rows[0];
    if (!row) throw notFound();
    return toSummary(row);
  }

  /**
   * The principal of a presented key, or `null` when it is malformed, unknown or revoked (the
   * caller answers 401 alike for all three). Records when the key was last used.
   */
  async authenticate(presentedKey: string | null | undefined): Promise<ApiKeyPrincipal | null> {
    if (!isApiKeyFormat(presentedKey)) return null;
    const rows: Array<{ id: string; company: string; role: string; stale: boolean }> =
      await this.dataSource.query(
        `SELECT id, company, role,
                (last_used_at IS NULL OR last_used_at < now() - $2 * interval '1 millisecond') AS stale
         FROM api_keys
         WHERE key_hash = $1 AND revoked_at IS NULL`,
        [hashApiKey(presentedKey), this.#lastUsedResolutionMs],
      );
    const row = rows[0];
    if (!row || !isRole(row.role)) return null;
    if (row.stale) {
      await this.dataSource.query(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [
        row.id,
      ]);
    }
    return { keyId: row.id, company: row.company, role: row.role };
  }
}

function requireCompany(company: unknown): string {
  if (typeof company !== 'string' || company.trim() === '' || company.trim() !== company) {
    throw new AccessError(
      'INVALID_API_KEY_REQUEST',
      'company must be a non-empty id without surrounding spaces',
    );
  }
  return company;
}

function requireName(name: unknown): string {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (
    trimmed === '' ||
    trimmed.length > API_KEY_NAME_MAX_LENGTH ||
    CONTROL_CHARACTERS.test(trimmed)
  ) {
    throw new AccessError(
      'INVALID_API_KEY_REQUEST',
      `name must be 1-${API_KEY_NAME_MAX_LENGTH} characters without control characters`,
    );
  }
  return trimmed;
}

function firstRow<T>(rows: T[]): T {
  const row = rows[0];
  if (!row) throw new Error('INSERT ... RETURNING returned no row');
  return row;
}

function toSummary(row: ApiKeyRow): ApiKeySummary {
  if (!isRole(row.role)) throw new Error(`api_keys row ${row.id} has an unknown role`);
  return {
    id: row.id,
    prefix: row.prefix,
    company: row.company,
    role: row.role,
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
