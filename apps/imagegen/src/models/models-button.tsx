import type { Accessor } from 'solid-js';

/** The header button that opens and closes the Models drawer (beside Templates and Gallery). */
export function ModelsButton<Drawer extends string>(props: {
  drawer: Accessor<Drawer | 'models' | 'none'>;
  setDrawer(drawer: 'models' | 'none'): void;
}) {
  return (
    <button
      type="button"
      data-testid="open-models"
      classList={{ selected: props.drawer() === 'models' }}
      onClick={() => props.setDrawer(props.drawer() === 'models' ? 'none' : 'models')}
      title="Installed models: pull from the hub, delete, disk usage"
    >
      Models
    </button>
  );
}
