/**
 * Where the UDL credential comes from, in order: BASICAUTH (the full header value), UDL_AUTH_USERNAME +
 * UDL_AUTH_PASSWORD, SECRET_ARN_UDL via AWS Secrets Manager. The value is wrapped so that no log,
 * error or JSON dump can print it by accident.
 */
import { ReachUdlError } from '../errors.js';
import { quietAwsSdk } from '../aws-sdk.js';

export class ConfigError extends ReachUdlError {
  readonly code = 'ERR_CONFIG';
  readonly exitClass = 'usage';
}

const SECRET = Symbol('secret');

/** Holds the Authorization header value; prints as [redacted] everywhere. */
export class Credential {
  private readonly [SECRET]: string;
  constructor(
    value: string,
    readonly source: 'BASICAUTH' | 'UDL_AUTH_USERNAME' | 'SECRET_ARN_UDL',
  ) {
    this[SECRET] = value;
  }
  header(): string {
    return this[SECRET];
  }
  /**
   * Every form in which the secret would let someone in: the header value, its base64 token, and decoded,
   * `user:password` and the password. The user name alone is not a secret and is left out.
   */
  secretForms(): string[] {
    const value = this[SECRET];
    const token = value.replace(/^Basic\s+/i, '');
    const forms = [value, token];
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // A real decode round-trips; anything else is an opaque token whose decoding means nothing.
    if (colon > 0 && Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') === token.replace(/=+$/, '')) {
      forms.push(decoded, decoded.slice(colon + 1));
    }
    return [...new Set(forms.filter((f) => f.length > 0))];
  }
  /**
   * The user name of a Basic credential (not a secret: it names the account, e.g. for a shared rate
   * budget), or undefined for an opaque token.
   */
  userName(): string | undefined {
    const token = this[SECRET].replace(/^Basic\s+/i, '');
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0 || Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') !== token.replace(/=+$/, '')) return undefined;
    return decoded.slice(0, colon);
  }

  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Credential(${this.source}, [redacted])`;
  }
}

export type SecretFetcher = (arn: string, region: string | undefined) => Promise<string>;

export async function resolveCredential(
  env: NodeJS.ProcessEnv,
  opts: { awsRegion?: string | undefined; fetchSecret?: SecretFetcher } = {},
): Promise<Credential> {
  if (env.BASICAUTH) {
    const v = env.BASICAUTH.trim();
    return new Credential(/^basic\s/i.test(v) ? v : `Basic ${v}`, 'BASICAUTH');
  }
  if (env.UDL_AUTH_USERNAME && env.UDL_AUTH_PASSWORD) {
    const b64 = Buffer.from(`${env.UDL_AUTH_USERNAME}:${env.UDL_AUTH_PASSWORD}`, 'utf8').toString('base64');
    return new Credential(`Basic ${b64}`, 'UDL_AUTH_USERNAME');
  }
  if (env.SECRET_ARN_UDL) {
    const fetchSecret = opts.fetchSecret ?? fetchFromSecretsManager;
    let secretString: string;
    try {
      secretString = await fetchSecret(env.SECRET_ARN_UDL, opts.awsRegion ?? env.AWS_REGION);
    } catch (err) {
      throw new ConfigError(`could not read SECRET_ARN_UDL from AWS Secrets Manager (${(err as Error).name}); check the ARN, --aws-region and AWS credentials`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(secretString);
    } catch {
      throw new ConfigError('the secret at SECRET_ARN_UDL is not JSON; it must hold {"basicauth": "Basic ..."}');
    }
    const v = (parsed as { basicauth?: unknown } | null)?.basicauth;
    if (typeof v !== 'string' || v.trim() === '') {
      throw new ConfigError('the secret at SECRET_ARN_UDL has no "basicauth" key; it must hold {"basicauth": "Basic ..."}');
    }
    const t = v.trim();
    return new Credential(/^basic\s/i.test(t) ? t : `Basic ${t}`, 'SECRET_ARN_UDL');
  }
  throw new ConfigError('no UDL credential: set BASICAUTH, or UDL_AUTH_USERNAME and UDL_AUTH_PASSWORD, or SECRET_ARN_UDL');
}

/** Loaded only on this path: the AWS SDK costs ~100 ms and many MB to import. */
async function fetchFromSecretsManager(arn: string, region: string | undefined): Promise<string> {
  quietAwsSdk();
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient(region ? { region } : {});
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (typeof out.SecretString !== 'string') throw new Error('SecretString missing');
    return out.SecretString;
  } finally {
    client.destroy();
  }
}
