/**
 * Fetches a provider's API key: `undefined` when none is stored. The caller owns the returned
 * buffer and zero-fills it once it has made what it needs from it.
 */
export type GetKey = (provider: string) => Promise<Buffer | undefined>;

/** The part of `KeyStore` (src/keys) a key source needs; structural, so this folder does not load the key service. */
export interface KeyStoreLike {
  get(provider: string): Promise<{ value: Buffer }>;
}

/**
 * A `GetKey` over the key store: `LA_KEY_NOT_FOUND` becomes `undefined` (the caller explains what is
 * missing in its own terms), any other failure — a locked keyring, a missing master password — is
 * passed on as it is. Accepts a function so the store is opened only when a key is first needed.
 */
export function keySourceFromStore(store: KeyStoreLike | (() => Promise<KeyStoreLike>)): GetKey {
  return async (provider) => {
    const resolved = typeof store === 'function' ? await store() : store;
    try {
      return (await resolved.get(provider)).value;
    } catch (error) {
      if (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'LA_KEY_NOT_FOUND') return undefined;
      throw error;
    }
  };
}
