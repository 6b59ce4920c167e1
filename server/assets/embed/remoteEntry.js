// External Lines as a Module Federation remote, for hosts (such as the Space) that load
// applications as federated modules: a container with `init(shareScope)` and
// `get(module)`, whose modules expose `start(element, settings)` and return the same
// handle as /embed/lines.js (`update`, `unmount`, events). It is an ES module (webpack's
// "module" remote type); once loaded it is also `globalThis.externalLines`.
//
//   const container = await import("https://LINES/embed/remoteEntry.js");
//   await container.init({});
//   const block = (await container.get("./DialogBlock"))();
//   const handle = block.start(element, { token, entity: "lead", id: 42 });

const lines = import(new URL("./lines.js", import.meta.url).href);

const exposed = {
  "./DialogBlock": (api) => ({ start: api.mountDialogBlock }),
  "./LinesField": (api) => ({ start: api.mountLinesField }),
  "./Chat": (api) => ({ start: api.mountChat }),
};

/** Shares nothing: the components bring their own runtime inside their frames. */
export function init(_shareScope) {
  return Promise.resolve();
}

/** A factory of the exposed module `name`, as webpack's container `get` answers. */
export function get(name) {
  const make = exposed[name];
  if (!make) {
    return Promise.reject(new Error(`External Lines exposes ${Object.keys(exposed).join(", ")}, not "${name}".`));
  }
  return lines.then((api) => () => make(api));
}

globalThis.externalLines = { init, get };
