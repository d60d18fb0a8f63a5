/**
 * Downloads a file the gateway serves to a bearer token (CSV reports, the member's data export): a link
 * cannot carry the token, so the file is fetched and handed to the browser as a Blob.
 */
export async function download(path: string, token: string, filename: string): Promise<void> {
  const response = await fetch(path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { errors?: { message?: string }[] } | null;
    throw new Error(body?.errors?.[0]?.message ?? `Download failed (${response.status})`);
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const named = /filename="([^"]+)"/.exec(disposition)?.[1];
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = named ?? filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
