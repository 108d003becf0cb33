/** The `.dockerconfigjson` payload of a `kubernetes.io/dockerconfigjson` pull secret. */
export function dockerConfigJson(server: string, username: string, token: string): string {
  const auth = Buffer.from(`${username}:${token}`).toString("base64");
  return JSON.stringify({ auths: { [server]: { username, password: token, auth } } });
}
