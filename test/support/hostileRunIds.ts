/** Ids that are not [a-z0-9]{1,6}: paths out of the runs folder, separators, capitals, too long, empty, control characters. */
export const HOSTILE_RUN_IDS: readonly string[] = ['../x', 'a/b', '..', '.', 'ABC', 'abcdefg', '', '/tmp/kconn-victim', '../../victim', 'ab c', 'ab\0c', 'ab\nc'];
