import { spawn } from 'node:child_process'

/**
 * Open `url` in the user's browser without waiting for it: `$BROWSER` when set (the usual convention, and how
 * tests check this), else the platform's opener. A failure is a warning: the URL is printed anyway.
 */
export function openBrowser(url: string, onError: (message: string) => void): void {
  const [command, ...args] = process.env.BROWSER
    ? [process.env.BROWSER, url]
    : process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '""', url] : ['xdg-open', url]
  const child = spawn(command!, args, { stdio: 'ignore', detached: true })
  child.on('error', error => onError(`cannot open a browser with ${command}: ${error.message}; open ${url} yourself, or set BROWSER to your browser's command`))
  child.unref()
}
