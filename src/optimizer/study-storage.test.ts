import { describeStudyStorage } from '../../test/conformance/study-storage.js';
import { inMemoryStudyStorage } from './study-storage.js';

describeStudyStorage('in memory', inMemoryStudyStorage);
