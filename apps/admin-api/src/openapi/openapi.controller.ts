import { Controller, Get } from '@nestjs/common';
import { Public } from '../auth/access.decorator';
import { OPENAPI_DOCUMENT } from './openapi.document';

@Controller('api/v1')
export class OpenApiController {
  @Get('openapi.json')
  @Public()
  document() {
    return OPENAPI_DOCUMENT;
  }
}
