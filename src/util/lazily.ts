/**
 * The one way this project loads a module late: at its first use, once. A
 * start pays only for what the command uses; ssh2, the YAML parser and
 * BuildKit's gRPC session cost 0.03 to 0.12 s each, for a daemon over ssh, a
 * web config and an image build. `load` is a `require` written where the
 * module is named, so that its path and type stay next to its use.
 */
export function lazily<T>(load: () => T): () => T {
  let loaded: { value: T } | undefined;
  return () => {
    loaded ??= { value: load() };
    return loaded.value;
  };
}
