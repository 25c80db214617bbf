// Zod compiles object parsers with `new Function` where eval is allowed, and probes for that
// when it makes its first object schema. Under the app's CSP (no 'unsafe-eval') the probe fails
// harmlessly but is reported as a CSP violation, so browser code imports this module before any
// schema exists: Zod then parses without compiling and never probes.

import { z } from 'zod';

z.config({ jitless: true });
