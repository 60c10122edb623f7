/** A plugin that cannot be loaded, checked or set up: the message names the plugin and where it is listed. */
export class PluginError extends Error {
  override name = 'PluginError'
}
