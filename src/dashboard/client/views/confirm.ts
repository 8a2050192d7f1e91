import { h, on, type Child } from '../dom.ts';

/**
 * Asks a person to confirm a write in a modal `<dialog>`: keyboard reachable (focus moves into it,
 * Escape cancels), and a plain button press cannot write anything by accident.
 *
 * @returns whether the person confirmed.
 */
export function confirmWrite(title: string, confirmLabel: string, ...body: Child[]): Promise<boolean> {
  return new Promise((resolve) => {
    const cancel = h('button', { type: 'button', class: 'secondary', 'data-action': 'cancel' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'danger', 'data-action': 'confirm' }, confirmLabel);
    const dialog = h('dialog', { 'aria-labelledby': 'confirm-title', class: 'confirm' }, h('h2', { id: 'confirm-title' }, title), h('div', {}, ...body), h('p', { class: 'actions' }, cancel, ' ', confirm));
    let answer = false;
    on(cancel, 'click', () => dialog.close());
    on(confirm, 'click', () => {
      answer = true;
      dialog.close();
    });
    on(dialog, 'close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
