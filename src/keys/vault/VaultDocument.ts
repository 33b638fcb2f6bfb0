import { z } from 'zod';
import { canonicalJson } from '../../core/json/index.js';
import { vaultCorrupt, vaultUnsupported } from '../errors.js';
import { STORED_NAME_PATTERN } from '../providers.js';
import { KEY_BYTES, NONCE_BYTES, SALT_BYTES, scryptParamsProblem, TAG_BYTES, type ScryptParams, type Sealed } from './vaultCrypto.js';

export const VAULT_FORMAT = 'localagent-vault';
export const VAULT_VERSION = 1;
const CIPHER = 'aes-256-gcm';
const MAC_ALG = 'hmac-sha256';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const isoTime = z.iso.datetime();
const providerName = z.string().regex(STORED_NAME_PATTERN, 'must be a provider or data key name');

const sealedSchema = z.strictObject({ alg: z.literal(CIPHER), nonce: base64, ciphertext: base64, tag: base64 });

const recordSchema = z.strictObject({
  version: z.int().min(1),
  alg: z.literal(CIPHER),
  nonce: base64,
  ciphertext: base64,
  tag: base64,
  fingerprint: z.string().max(80),
  masked: z.string().max(40),
  created_at: isoTime,
  rotated_at: isoTime.nullable(),
});

const kdfSchema = z.strictObject({
  name: z.literal('scrypt'),
  N: z.int(),
  r: z.int(),
  p: z.int(),
  dklen: z.literal(KEY_BYTES),
  salt: base64,
});

const fileSchema = z.strictObject({
  format: z.literal(VAULT_FORMAT),
  version: z.literal(VAULT_VERSION),
  created_at: isoTime,
  kdf: kdfSchema,
  data_key: sealedSchema,
  records: z.record(providerName, recordSchema),
  mac: z.strictObject({ alg: z.literal(MAC_ALG), value: base64 }),
});

type VaultFileJson = z.infer<typeof fileSchema>;

/** One encrypted key and its public metadata. */
export interface VaultRecord {
  /** Bumped on every write of this provider's key; bound into the ciphertext with the provider name. */
  version: number;
  sealed: Sealed;
  fingerprint: string;
  masked: string;
  createdAt: string;
  rotatedAt: string | null;
}

/** The parts of the file that decide how the data key is wrapped; all of them are bound into the wrap. */
export interface VaultHeader {
  createdAt: string;
  kdf: ScryptParams & { salt: Buffer };
  /** The data key, encrypted under the key derived from the master password. */
  dataKey: Sealed;
}

export interface VaultDocument {
  header: VaultHeader;
  records: Map<string, VaultRecord>;
}

export interface LoadedVault {
  doc: VaultDocument;
  /** The exact text the MAC covers: the canonical JSON of the file as read, without `mac`. */
  macInput: string;
  mac: Buffer;
}

/** Associated data for the wrapped data key: every header field, so editing any of them makes unwrapping fail. */
export function dataKeyAad(header: Pick<VaultHeader, 'createdAt' | 'kdf'>): string {
  return canonicalJson({
    purpose: 'localagent-vault/data-key',
    format: VAULT_FORMAT,
    version: VAULT_VERSION,
    created_at: header.createdAt,
    kdf: { name: 'scrypt', N: header.kdf.N, r: header.kdf.r, p: header.kdf.p, dklen: KEY_BYTES, salt: header.kdf.salt.toString('base64') },
  });
}

/** Associated data for a record: a record moved to another provider or to another version fails to decrypt. */
export function recordAad(provider: string, version: number): string {
  return canonicalJson({ purpose: 'localagent-vault/record', provider, version });
}

/** A stable identity of the current data key: changes exactly when the vault is re-keyed. */
export function dataKeyId(header: VaultHeader): string {
  return `${header.kdf.salt.toString('base64')}:${header.dataKey.nonce.toString('base64')}`;
}

const sealedJson = (sealed: Sealed): { alg: typeof CIPHER; nonce: string; ciphertext: string; tag: string } => ({
  alg: CIPHER,
  nonce: sealed.nonce.toString('base64'),
  ciphertext: sealed.ciphertext.toString('base64'),
  tag: sealed.tag.toString('base64'),
});

/** The file's JSON without the MAC, records sorted by provider. */
export function toJson(doc: VaultDocument): Omit<VaultFileJson, 'mac'> {
  const records: VaultFileJson['records'] = {};
  for (const provider of [...doc.records.keys()].sort()) {
    const record = doc.records.get(provider) as VaultRecord;
    records[provider] = {
      version: record.version,
      ...sealedJson(record.sealed),
      fingerprint: record.fingerprint,
      masked: record.masked,
      created_at: record.createdAt,
      rotated_at: record.rotatedAt,
    };
  }
  const { kdf } = doc.header;
  return {
    format: VAULT_FORMAT,
    version: VAULT_VERSION,
    created_at: doc.header.createdAt,
    kdf: { name: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, dklen: KEY_BYTES, salt: kdf.salt.toString('base64') },
    data_key: sealedJson(doc.header.dataKey),
    records,
  };
}

/** The text written to disk: readable JSON with the MAC last. */
export function serialise(doc: VaultDocument, mac: Buffer): { text: string; macInput: string } {
  const body = toJson(doc);
  return {
    text: `${JSON.stringify({ ...body, mac: { alg: MAC_ALG, value: mac.toString('base64') } }, null, 2)}\n`,
    macInput: canonicalJson(body),
  };
}

/** Parses and checks the file's structure (not its MAC or ciphertexts, which need the password). */
export function parseVault(file: string, text: string): LoadedVault {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw vaultCorrupt(file, 'it is not valid JSON (cut off or overwritten?)', error);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw vaultCorrupt(file, 'it is not a JSON object');
  const probe = raw as { format?: unknown; version?: unknown };
  if (probe.format !== VAULT_FORMAT) throw vaultCorrupt(file, 'it is not a LocalAgent key vault');
  if (typeof probe.version === 'number' && probe.version > VAULT_VERSION) {
    throw vaultUnsupported(file, `it has format version ${probe.version}, newer than ${VAULT_VERSION}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || 'the top level' : 'the file';
    throw vaultCorrupt(file, `${where}: ${issue?.message ?? 'unexpected structure'}`);
  }
  const json = parsed.data;
  const params = { N: json.kdf.N, r: json.kdf.r, p: json.kdf.p };
  const problem = scryptParamsProblem(params);
  if (problem) throw vaultCorrupt(file, `its key-derivation parameters are out of range (${problem})`);
  const bytes = (value: string, length: number | [number, number], where: string): Buffer => {
    const out = Buffer.from(value, 'base64');
    const [min, max] = typeof length === 'number' ? [length, length] : length;
    if (out.length < min || out.length > max) throw vaultCorrupt(file, `${where} has the wrong length`);
    return out;
  };
  const sealed = (value: z.infer<typeof sealedSchema>, keyLength: [number, number], where: string): Sealed => ({
    nonce: bytes(value.nonce, NONCE_BYTES, `${where}.nonce`),
    ciphertext: bytes(value.ciphertext, keyLength, `${where}.ciphertext`),
    tag: bytes(value.tag, TAG_BYTES, `${where}.tag`),
  });
  const records = new Map<string, VaultRecord>();
  for (const [provider, record] of Object.entries(json.records)) {
    records.set(provider, {
      version: record.version,
      sealed: sealed(record, [1, 4096], `records.${provider}`),
      fingerprint: record.fingerprint,
      masked: record.masked,
      createdAt: record.created_at,
      rotatedAt: record.rotated_at,
    });
  }
  const { mac: macJson, ...body } = raw as Record<string, unknown>;
  return {
    doc: {
      header: {
        createdAt: json.created_at,
        kdf: { ...params, salt: bytes(json.kdf.salt, [SALT_BYTES, 64], 'kdf.salt') },
        dataKey: sealed(json.data_key, [KEY_BYTES, KEY_BYTES], 'data_key'),
      },
      records,
    },
    macInput: canonicalJson(body),
    mac: bytes((macJson as { value: string }).value, 32, 'mac.value'),
  };
}
