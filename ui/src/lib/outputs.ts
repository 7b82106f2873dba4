// How a task's output links are named where they are listed (Activity, Create's session).

/** A short name for an output link: the file name in its URL, else "Output N". */
export function outputName(url: string, index: number): string {
  const name = url.split(/[?#]/)[0].split("/").pop();
  return name ? name : `Output ${index + 1}`;
}
