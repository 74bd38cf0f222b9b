import { useState, type FormEvent } from 'react';
import { TASK_PRIORITIES } from '@flotilla/protocol';
import { describeError } from '../../api/client';
import { hubClient } from '../../api/hub-client';
import { useLiveStore } from '../../live/hooks';
import { Button, Section } from '../../ui/components';
import { EMPTY_TASK_FORM, taskRequest, type TaskForm } from './board';
import { useTargets } from './use-targets';

/** `mesh board add "title" --body … --tag … --priority … --for … --after …`, from the page. */
export function AddTaskForm() {
  const store = useLiveStore();
  const targets = useTargets();
  const [form, setForm] = useState<TaskForm>(EMPTY_TASK_FORM);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const request = taskRequest(form);
    if (!request.ok) return setOutcome({ ok: false, text: request.error });
    setBusy(true);
    setOutcome(null);
    try {
      const task = await hubClient.addTask(request.value);
      store.received({ task });
      setForm(EMPTY_TASK_FORM);
      setOutcome({ ok: true, text: `Added ${task.key} to ${task.status === 'proposed' ? 'proposed' : 'to do'}.` });
    } catch (e) {
      setOutcome({ ok: false, text: `Not added: ${describeError(e)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section title="Add a task" id="board-add">
      <form className="task-form" data-testid="add-task" onSubmit={(event) => void submit(event)}>
        <TaskFields form={form} onChange={setForm} targets={[...targets.roles.map((role) => role.slice(1)), ...targets.sessions]} />
        <div className="task-form-actions">
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add task'}
          </Button>
          <span className={`form-outcome ${outcome ? (outcome.ok ? 'ok' : 'failed') : ''}`} role="status" data-testid="add-task-outcome">
            {outcome?.text ?? ''}
          </span>
        </div>
      </form>
    </Section>
  );
}

/** The fields of `mesh board add`; `targets` are suggested for "for" (sessions and plain roles). */
function TaskFields({ form, onChange, targets }: { form: TaskForm; onChange: (form: TaskForm) => void; targets: string[] }) {
  const field = (key: keyof TaskForm) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => onChange({ ...form, [key]: event.target.value }),
  });
  return (
    <>
      <label className="task-form-title">
        Title
        <input {...field('title')} maxLength={500} placeholder="Fix the flaky auth test" />
      </label>
      <label className="task-form-body">
        Details (optional)
        <textarea rows={2} {...field('body')} />
      </label>
      <label>
        Tags
        <input {...field('tags')} placeholder="backend, auth" />
      </label>
      <label>
        Priority
        <select {...field('priority')}>
          {TASK_PRIORITIES.map((priority) => (
            <option key={priority} value={priority}>
              {priority}
            </option>
          ))}
        </select>
      </label>
      <label>
        For (a session or a role)
        <input {...field('for')} list="task-targets" placeholder="anyone" />
      </label>
      <label>
        After (task keys)
        <input {...field('after')} placeholder="AUTH-3" />
      </label>
      <datalist id="task-targets">
        {targets.map((target) => (
          <option key={target} value={target} />
        ))}
      </datalist>
    </>
  );
}
