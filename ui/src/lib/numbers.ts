// Every number the app shows, grouped the same way ("10,000"). The app's words are English
// (ux.md), and `toLocaleString()` with no locale follows the webview's, which under a C or
// POSIX locale prints "10000" beside a balance of "10,000".
const formatter = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

export const formatNumber = (n: number): string => formatter.format(n);

/** "1 item", "10,000 items"; `many` for plurals that are not `one` + "s". */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${formatter.format(n)} ${Math.abs(n) === 1 ? one : many}`;
}

/** "8 credits", "1 credit": credits are always counted in words (ux.md). */
export const credits = (amount: number): string => counted(amount, "credit");
