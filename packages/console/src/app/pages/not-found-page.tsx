/** A console URL that names no page. */
export function NotFoundPage() {
  return (
    <main class="page">
      <h1>Page not found</h1>
      <p>This console page does not exist. <a href="/console/hosting/apps">Go to your hosting apps</a>.</p>
    </main>
  );
}
