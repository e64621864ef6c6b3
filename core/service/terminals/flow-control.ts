/**
 * End-to-end flow control for terminal output (CONVENTIONS §13; xterm.js's flow-control
 * guide, VS Code's FlowControlConstants): the service counts bytes sent to the UI and not yet
 * acknowledged (the renderer acknowledges from xterm's write callback, after parsing). Above
 * the high watermark it pauses the source (the channel's stream, so our SSH window stays shut
 * and the server stops); once acknowledgements bring the count below the low watermark it
 * resumes. Acknowledging more than was sent clamps at zero.
 */
import { FLOW_HIGH_WATERMARK, FLOW_LOW_WATERMARK } from '../api/contract.js';

export class FlowController {
  private unackedBytes = 0;
  private isPaused = false;

  constructor(
    private readonly onPause: () => void,
    private readonly onResume: () => void,
    readonly high = FLOW_HIGH_WATERMARK,
    readonly low = FLOW_LOW_WATERMARK,
  ) {
    if (!(low < high)) throw new RangeError('the low watermark must be below the high one');
  }

  get unacknowledged(): number {
    return this.unackedBytes;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** `n` bytes went to the UI. */
  sent(n: number): void {
    this.unackedBytes += n;
    if (!this.isPaused && this.unackedBytes > this.high) {
      this.isPaused = true;
      this.onPause();
    }
  }

  /** The UI rendered `n` bytes. */
  ack(n: number): void {
    this.unackedBytes = Math.max(0, this.unackedBytes - n);
    if (this.isPaused && this.unackedBytes < this.low) {
      this.isPaused = false;
      this.onResume();
    }
  }
}
