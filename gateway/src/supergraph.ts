import { readFileSync } from 'node:fs';

const JOIN_GRAPH = /@join__graph\(name: "([a-z]+)", url: "([^"]+)"\)/g;

/**
 * Loads the committed supergraph and points each subgraph at the URL this deployment uses
 * (`<NAME>_URL`), leaving the default for the ones not overridden. Returns the SDL and the URL map.
 */
export function loadSupergraph(path: string, overrides: Record<string, string | undefined>): { sdl: string; subgraphs: Map<string, string> } {
  const subgraphs = new Map<string, string>();
  const sdl = readFileSync(path, 'utf8').replace(JOIN_GRAPH, (_match, name: string, url: string) => {
    const target = overrides[name] ?? url;
    subgraphs.set(name, target);
    return `@join__graph(name: "${name}", url: "${target}")`;
  });
  if (subgraphs.size === 0) throw new Error(`No subgraphs found in ${path}`);
  return { sdl, subgraphs };
}
