import { createHash } from 'node:crypto';

type Task = { text: string } | { value: unknown } | { leave: object };

/**
 * JSON with object keys sorted at every level, so two bodies that differ only in key order hash
 * the same. Arrays keep their order (order is meaning there); `undefined` members are dropped as
 * JSON.stringify drops them.
 *
 * Iterative, with an explicit stack (issue 10 item 2): a body nested thousands of levels deep
 * must not overflow the call stack here. (The edge refuses bodies deeper than 64 levels before
 * any handler runs; this function does not rely on it.) A cyclic value is a programmer error and
 * is refused, as JSON.stringify refuses it.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const open = new Set<object>();
  const stack: Task[] = [{ value }];
  while (stack.length) {
    const task = stack.pop() as Task;
    if ('text' in task) {
      out.push(task.text);
      continue;
    }
    if ('leave' in task) {
      open.delete(task.leave);
      continue;
    }
    const v = task.value;
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      continue;
    }
    if (open.has(v)) throw new TypeError('canonicalJson: cyclic value');
    open.add(v);
    const tasks: Task[] = [];
    if (Array.isArray(v)) {
      tasks.push({ text: '[' });
      v.forEach((item: unknown, i) => {
        if (i > 0) tasks.push({ text: ',' });
        tasks.push(item === undefined ? { text: 'null' } : { value: item });
      });
      tasks.push({ text: ']' });
    } else {
      const record = v as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      tasks.push({ text: '{' });
      keys.forEach((k, i) => {
        tasks.push({ text: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` });
        tasks.push({ value: record[k] });
      });
      tasks.push({ text: '}' });
    }
    tasks.push({ leave: v });
    for (let i = tasks.length - 1; i >= 0; i--) stack.push(tasks[i]);
  }
  return out.join('');
}

export function requestHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
