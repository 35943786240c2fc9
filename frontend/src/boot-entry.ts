// Inlined into index.html by build.mjs: starts the first requests (see boot.ts).
import { startBoot } from './boot';

window.wvBoot = startBoot();
