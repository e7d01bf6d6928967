module.exports = { ...require('../../jest.preset.js'), displayName: 'intermediary', rootDir: __dirname };
