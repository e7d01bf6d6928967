module.exports = { ...require('../../jest.preset.js'), displayName: 'tools-lint', rootDir: __dirname };
