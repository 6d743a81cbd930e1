/**
 * The AWS SDK is imported lazily (it costs ~100 ms and many MB) and only where a feature needs it. Its
 * releases warn on Node 20 about versions published after early 2027 needing Node 22; the lockfile pins
 * a version that supports Node 20, so the warning says nothing true about this install and would land
 * in every operator's log: it is turned off unless the user set the variable themselves.
 */
export function quietAwsSdk(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
