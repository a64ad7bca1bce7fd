import { removeTempDirs } from '../helpers/tempDir';

// A root-level hook runs after every describe block's afterAll (their daemons
// are stopped by then), and runs whether the tests passed or not.
afterAll(() => removeTempDirs());
