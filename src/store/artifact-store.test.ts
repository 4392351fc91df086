import { describeArtifactStore } from '../../test/conformance/artifact-store.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { LocalArtifactStore } from './artifact-store.js';

describeArtifactStore('files', async () => ({ store: new LocalArtifactStore(tempDir()), close: async () => undefined }));
