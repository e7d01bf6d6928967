module.exports = { ...require('../../jest.preset.js'), displayName: 'assertions', rootDir: __dirname };
