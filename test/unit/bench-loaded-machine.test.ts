import { loadedMachineWarning } from '../../bench/process-stats';

/** The bench flags a run that started on a machine other work was loading (its figures are noisy). */
describe('bench loaded-machine flag', () => {
  it('when the 1-minute load at start is below half the cores then the run is not flagged', () => {
    expect(loadedMachineWarning({ cpus: 2, load_average_at_start: [0.4, 2.5, 3] })).toBeUndefined();
  });

  it('when the 1-minute load at start reaches half the cores then the run is flagged with the load it saw', () => {
    const warning = loadedMachineWarning({ cpus: 2, load_average_at_start: [1.75, 0.2, 0.1] });
    expect(warning).toMatch(/loaded when the run started \(1-minute load average 1\.75 on 2 cores\)/);
  });
});
