// Messages for the user: errors that name the file and the reason, and passing notes.

export interface Notice {
  id: number;
  level: 'error' | 'warning' | 'info';
  text: string;
}

export class Notifications {
  items = $state<Notice[]>([]);
  #next = 1;

  push(level: Notice['level'], text: string): void {
    const notice = { id: this.#next++, level, text };
    this.items = [...this.items, notice];
    if (level === 'info') setTimeout(() => this.dismiss(notice.id), 6000);
  }

  error(text: string): void {
    this.push('error', text);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((n) => n.id !== id);
  }
}
