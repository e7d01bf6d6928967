module.exports = { ...require('../../jest.preset.js'), displayName: 'x509', rootDir: __dirname };
